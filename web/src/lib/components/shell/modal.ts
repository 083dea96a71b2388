/**
 * Keeps a `<dialog>` shown as a modal while `open` is true (call it inside `$effect`): shows it
 * when `open` turns true, running `onShow` first so the dialog opens on fresh content, and closes
 * it when `open` turns false. Closing by Escape fires the dialog's `close` event, whose handler
 * sets `open` back to false.
 */
export function syncModal(
  dialog: HTMLDialogElement | undefined,
  open: boolean,
  onShow?: () => void,
): void {
  if (!dialog) return;
  if (open && !dialog.open) {
    onShow?.();
    dialog.showModal();
  }
  if (!open && dialog.open) dialog.close();
}
