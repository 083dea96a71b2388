/**
 * The backup dialogs, loaded together on demand (Settings and the first screen): one chunk, so
 * one name in the first screen's preload map.
 */
export { default as ExportBackupDialog } from './ExportBackupDialog.svelte';
export { default as RestoreDialog } from './RestoreDialog.svelte';
