/** Whether the person can see the page now (DESIGN §6: read markers, typing). */

/** The page is visible (always, where there is no document: unit tests). */
export function isPageVisible(): boolean {
  return typeof document === 'undefined' || document.visibilityState === 'visible';
}

/** The person is looking: the page is visible and the window focused (read markers advance). */
export function isPageAttentive(): boolean {
  return isPageVisible() && (typeof document === 'undefined' || document.hasFocus());
}
