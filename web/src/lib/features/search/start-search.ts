/**
 * Starts the search UI on a search box (SearchBox.svelte calls it when the box first takes focus):
 * mounts the results panel beside it, once per box. Loaded on demand, with the panel.
 */
import { mount } from 'svelte';
import type { Parley } from '../../parley';
import type { Router } from '../../shell/router.svelte';
import SearchPanel from './SearchPanel.svelte';

const started = new WeakSet<HTMLInputElement>();

/** Mounts the results panel after `input` (a second call for the same box does nothing). */
export function startSearch(input: HTMLInputElement, app: Parley, router: Router): void {
  const target = input.parentElement;
  if (started.has(input) || !target) return;
  started.add(input);
  mount(SearchPanel, { target, props: { input, app, router } });
}
