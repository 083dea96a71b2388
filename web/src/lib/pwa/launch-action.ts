/**
 * The manifest shortcut "New room" opens `/?action=new-room` (vite.config.ts `shortcuts`). At
 * start-up the query is taken off the address (a reload must not make another room) and kept
 * here until the session is ready to create the room.
 */

/** What a launch URL may ask for. */
export type LaunchAction = 'new-room';

let pending: LaunchAction | null = null;

/** Reads and removes `?action=…` from the address (call before the router starts). */
export function captureLaunchAction(): void {
  const params = new URLSearchParams(location.search);
  if (!params.has('action')) return;
  pending = params.get('action') === 'new-room' ? 'new-room' : null;
  history.replaceState(null, '', `/${location.hash}`);
}

/** The action asked for at launch, once. */
export function takeLaunchAction(): LaunchAction | null {
  const action = pending;
  pending = null;
  return action;
}
