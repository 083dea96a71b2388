import type MessageActions from './MessageActions.svelte';

/** The message actions' code, fetched once (right after the first screen, or at the first hover). */
let actionsLoad: Promise<typeof MessageActions> | undefined;

/** Loads the message actions (MessageActions.svelte); after a failure the next call tries again. */
export function loadMessageActions(): Promise<typeof MessageActions> {
  actionsLoad ??= import('./MessageActions.svelte').then(
    (module) => module.default,
    (error: unknown) => {
      actionsLoad = undefined;
      throw error;
    },
  );
  return actionsLoad;
}
