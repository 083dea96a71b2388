/** Every tunable of the web app, units in the names (DESIGN §7, STYLE "Naming"). */

/**
 * How many messages a conversation view loads at a time: the newest when it opens, then a page
 * more whenever the reader scrolls within a screen of either end of what is loaded.
 */
export const MESSAGE_PAGE_SIZE = 100;
/**
 * The most messages the view holds while the reader reads back (past it the far end is dropped,
 * and paged in again on the way back): the view's window (messaging/message-window.ts) keeps two
 * pages while following the newest, and a page more while reading back.
 */
export const MESSAGE_WINDOW_MAX = 3 * MESSAGE_PAGE_SIZE;
/**
 * Opening a room, its history waits until the room's dials have made their offers (connect
 * first, DESIGN §7), but never longer than this.
 */
export const HISTORY_DIAL_WAIT_MAX_MS = 250;

/** Dials that may be opening at once (each sends an offer and ICE candidates via the server). */
export const MAX_CONCURRENT_DIALS = 4;

/** New events of a room are announced (`have`) at most this often; announcements coalesce. */
export const HAVE_THROTTLE_MS = 250;

// ---- Hostile members (DESIGN §6 "Hostile members") ------------------------------------------
/**
 * How far ahead of our wall clock a received event may be stamped. One stamped further ahead is
 * not stored yet (it is signed, so its time cannot be changed) and a conversation's clock never
 * follows a remote one further than this. Honest clocks differ by seconds; a few minutes leave
 * room for a badly set phone.
 */
export const MAX_CLOCK_DRIFT_MS = 5 * 60_000;
/**
 * Most events dated too far ahead that the sync engine remembers (to not ask for them again
 * until they are due); beyond it the oldest is forgotten, which only costs a resend.
 */
export const MAX_DEFERRED_EVENTS = 256;
/**
 * Most bytes (events as JSON) one author may put into one room, as every member counts them when
 * storing and so relaying: about 30,000 ordinary messages, or 1,000 of the longest. Events over
 * it are refused for good (their ids kept, so sync does not bring them back); deleting an author's
 * messages does not give the budget back.
 */
export const AUTHOR_STORAGE_BUDGET_BYTES = 8 * 1024 * 1024;
/**
 * Most bytes one author may put into one room per AUTHOR_RATE_WINDOW_MS of their own (signed)
 * clock. Generous for a person (the history bench writes 10,000 messages, ~3 MB, in 5 s), it
 * keeps one member from filling the others' disks in a burst.
 */
export const AUTHOR_RATE_BUDGET_BYTES = 4 * 1024 * 1024;
/** Most disputed seqs (equivocation) a conversation records per author; the rest stay hidden too. */
export const MAX_DISPUTED_SEQS = 256;
/** The window of AUTHOR_RATE_BUDGET_BYTES, by the events' own clocks. */
export const AUTHOR_RATE_WINDOW_MS = 60_000;
/** How many of an author's newest rate windows a room remembers (older ones are not checked). */
export const AUTHOR_RATE_WINDOWS_KEPT = 8;

/** While the person types, a room's members are told (`typing`) at most this often. */
export const TYPING_SEND_INTERVAL_MS = 3_000;
/** A member is shown as typing for this long after their latest `typing` frame. */
export const TYPING_SHOW_MS = 6_000;

/** How often lists showing times ("14:05", "Mon", "last seen …") re-read the clock. */
export const CLOCK_TICK_MS = 60_000;
/** How often an open app asks the server whether a new version exists (also on becoming visible). */
export const SW_UPDATE_CHECK_INTERVAL_MS = 60 * 60_000;

/**
 * The version shown in Settings: package.json's, or PARLEY_VERSION at build time (vite.config.ts
 * `define`); 'dev' where nothing defines it (unit tests).
 */
export const APP_VERSION: string =
  typeof __PARLEY_VERSION__ === 'string' ? __PARLEY_VERSION__ : 'dev';

// ---- Calls (DESIGN §8) ----------------------------------------------------------------------
/** Most people in one room call (a full mesh of media connections). */
export const MAX_CALL_PARTICIPANTS = 6;

/** How long after the first screen the search index code loads and its background build starts. */
export const SEARCH_START_DELAY_MS = 2_000;
