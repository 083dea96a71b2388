import { createContext } from 'svelte';
import type { Parley } from '../parley';
import type { Router } from './router.svelte';
import type { AppShell } from '../pwa/app-shell.svelte';

/** The app's state (kernel and features), set once by App.svelte (the composition root). */
export const [getApp, setApp] = createContext<Parley>();

/** The hash router, set once by App.svelte. */
export const [getRouter, setRouter] = createContext<Router>();

/** The app shell (service worker, install, online state), set once by App.svelte. */
export const [getAppShell, setAppShell] = createContext<AppShell>();
