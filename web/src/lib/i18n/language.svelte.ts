/**
 * The language shown and the strings of it loaded so far, as reactive state: `t()` reads it, so
 * everything on screen follows a switch at once (i18n.ts changes it).
 */
import { DEFAULT_LOCALE, type LocaleCode } from './locales';
import type { Messages } from './messages';

class ActiveLanguage {
  #code = $state<LocaleCode>(DEFAULT_LOCALE);
  #messages = $state.raw<Partial<Messages>>({});

  /** The language shown. */
  get code(): LocaleCode {
    return this.#code;
  }

  /** Its strings loaded so far. */
  get messages(): Partial<Messages> {
    return this.#messages;
  }

  /** Shows `code` with `messages` (replacing every string of the language before). */
  show(code: LocaleCode, messages: Partial<Messages>): void {
    this.#code = code;
    this.#messages = messages;
  }

  /** Adds strings of the language shown (the part loaded on demand). */
  add(messages: Partial<Messages>): void {
    this.#messages = { ...this.#messages, ...messages };
  }
}

/** The one language state of the page. */
export const activeLanguage = new ActiveLanguage();
