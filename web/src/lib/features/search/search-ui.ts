/**
 * The search feature's components the first screen shows right after it renders: the search box
 * and "Show later messages" (one chunk, one import). Their strings load first.
 */
import '../../i18n/more';

export { default as SearchBox } from './SearchBox.svelte';
export { default as NewerMessages } from './NewerMessages.svelte';
