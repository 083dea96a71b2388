/**
 * Safety numbers (DESIGN §4): what two people compare to verify each other's keys. Loaded when a
 * safety number is shown, not with the first screen. Pure WebCrypto.
 */
import { concatBytes, utf8 } from '../encoding';

const SAFETY_LABEL = utf8('parley-safety-v1');

/** 30 digits for one fingerprint: six 5-digit groups from SHA-512(label ‖ fingerprint). */
async function safetyDigits(fingerprint: string): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest('SHA-512', concatBytes(SAFETY_LABEL, utf8(fingerprint))),
  );
  let digits = '';
  for (let chunk = 0; chunk < 6; chunk++) {
    let n = 0;
    for (let i = 0; i < 5; i++) n = n * 256 + digest[chunk * 5 + i]!;
    digits += String(n % 100_000).padStart(5, '0');
  }
  return digits;
}

/**
 * The safety number two people compare to verify each other: 60 digits in groups of 5, the same
 * whichever side computes it (each half belongs to one person, lower half first, as in Signal).
 */
export async function safetyNumber(fpA: string, fpB: string): Promise<string> {
  const halves = [await safetyDigits(fpA), await safetyDigits(fpB)].sort();
  return halves.join('').replace(/(\d{5})(?=\d)/g, '$1 ');
}
