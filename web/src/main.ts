import { mount } from 'svelte';
import App from './App.svelte';
import { captureLaunchAction } from './lib/pwa/launch-action';
import { captureSharedText } from './lib/pwa/share-target';
import { showRememberedTheme } from './lib/pwa/theme';
import './app.css';

// Before the first paint: the Settings record in IndexedDB is read only after it.
showRememberedTheme();
// Before the router reads the address: a share opens "Share to…", a shortcut makes a room.
captureSharedText();
captureLaunchAction();

const target = document.getElementById('app');
if (!target) throw new Error('Parley: #app element is missing from index.html');
export default mount(App, { target });
