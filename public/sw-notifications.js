// Imported into the generated service worker (vite.config.ts `workbox.importScripts`): a click
// on a Parley notification focuses an open Parley window and opens the conversation in it
// (pwa/notifications.ts listens for 'parley:open'), or opens a new window there.
self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const data = event.notification.data;
  const hash =
    data && typeof data.hash === 'string' && data.hash.startsWith('#/') ? data.hash : '#/';
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then(async (windows) => {
      const open = windows[0];
      if (open) {
        await open.focus();
        open.postMessage({ type: 'parley:open', hash });
        return;
      }
      await self.clients.openWindow(`/${hash}`);
    }),
  );
});
