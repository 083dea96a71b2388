/** Marks the end of an exhaustive `switch`; a new union member makes the call a type error. */
export function assertNever(x: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(x)}`);
}
