import { createContext } from 'svelte';
import type { ChatSession } from './chat-session.svelte';
import type { Router } from './router.svelte';
import type { AppShell } from '../pwa/app-shell.svelte';

/** The tab's session, set once by App.svelte (the composition root). */
export const [getSession, setSession] = createContext<ChatSession>();

/** The hash router, set once by App.svelte. */
export const [getRouter, setRouter] = createContext<Router>();

/** The app shell (service worker, install, online state), set once by App.svelte. */
export const [getAppShell, setAppShell] = createContext<AppShell>();
