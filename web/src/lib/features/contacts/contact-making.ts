/**
 * What makes contacts (DESIGN §5): contact requests and one-time contact links. Loaded right
 * after the first screen (contact-links.svelte.ts), not with it.
 */
export { ContactRequests } from './contact-requests.svelte';
export { Invites } from './invites.svelte';
