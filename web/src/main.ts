import { mount } from 'svelte';
import App from './App.svelte';
import { captureLaunchAction } from './lib/pwa/launch-action';
import { captureSharedText } from './lib/pwa/share-target';
import { showRememberedTheme } from './lib/pwa/theme';
import { startLanguage } from './lib/i18n/i18n';
import './app.css';

// Before the first paint: the Settings record in IndexedDB is read only after it.
showRememberedTheme();
// Before the router reads the address: a share opens "Share to…", a shortcut makes a room.
captureSharedText();
captureLaunchAction();

const target = document.getElementById('app');
if (!target) throw new Error('Parley: #app element is missing from index.html');
// The first screen's strings in the person's language come first; if they cannot load, Parley
// still starts (showing string keys) rather than not at all.
void startLanguage().finally(() => mount(App, { target }));
