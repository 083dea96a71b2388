/**
 * The search feature's components the first screen shows right after it renders: the search box
 * and the ends of a long log (older and newer pages as the reader scrolls, "Jump to latest"), in
 * one chunk, one import. Their strings load first.
 */
import '../../i18n/more';

export { default as SearchBox } from './SearchBox.svelte';
export { default as OlderMessages } from './OlderMessages.svelte';
export { default as NewerMessages } from './NewerMessages.svelte';
