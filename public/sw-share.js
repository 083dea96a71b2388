// Imported into the generated service worker (vite.config.ts `workbox.importScripts`): the Web
// Share Target (manifest `share_target`, DESIGN §11). Another app shares text, links or files; the
// browser POSTs them here as multipart form data. The files wait in Cache Storage and the page is
// sent to `/?share-files=<id>&share-title=…&share-text=…&share-url=…`, where pwa/share-target.ts
// takes over. Keep the names below in step with SHARE_PARAMS and SHARED_FILES in share-target.ts.
// Without a service worker (a first visit) the signal server answers the POST (http-app.ts).

/** The Cache Storage cache that holds shared files until a conversation is picked. */
const SHARED_FILES_CACHE = 'parley-shared-files';
/** The most files one share may carry; a larger share is refused as a whole. */
const MAX_SHARED_FILES = 32;
/** Response headers of a held file: its name (URI-encoded), and when it was shared (ms). */
const NAME_HEADER = 'X-Parley-File-Name';
const SHARED_AT_HEADER = 'X-Parley-Shared-At';
/** Form fields (manifest `share_target.params`) that are passed on in the query as they are. */
const TEXT_FIELDS = ['share-title', 'share-text', 'share-url'];

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (
    event.request.method !== 'POST' ||
    url.origin !== self.location.origin ||
    url.pathname !== '/share-target'
  ) {
    return;
  }
  event.respondWith(holdShare(event.request));
});

/** Keeps what was shared and answers with the redirect to the app (303: the page GETs it). */
async function holdShare(request) {
  const target = new URL('/', self.location.origin);
  let form;
  try {
    form = await request.formData();
  } catch (error) {
    console.warn('[parley:share] the shared form could not be read', error);
    target.searchParams.set('share-refused', 'failed');
    return Response.redirect(target.href, 303);
  }
  for (const field of TEXT_FIELDS) {
    const value = form.get(field);
    if (typeof value === 'string' && value) target.searchParams.set(field, value);
  }
  // A form's empty file input still sends one nameless, empty part.
  const files = form
    .getAll('files')
    .filter((part) => typeof part !== 'string' && (part.name !== '' || part.size > 0));
  if (files.length > MAX_SHARED_FILES) {
    target.searchParams.set('share-refused', 'too-many');
  } else if (files.length > 0) {
    const id = crypto.randomUUID();
    try {
      await putFiles(id, files);
      target.searchParams.set('share-files', id);
    } catch (error) {
      // Most likely the storage quota: keep nothing half-shared.
      console.warn('[parley:share] the shared files could not be kept', error);
      await dropFiles(id);
      target.searchParams.set('share-refused', 'failed');
    }
  }
  return Response.redirect(target.href, 303);
}

async function putFiles(id, files) {
  const cache = await caches.open(SHARED_FILES_CACHE);
  const sharedAt = String(Date.now());
  await Promise.all(
    files.map((file, index) =>
      cache.put(
        new Request(new URL(`/shared/${id}/${index}`, self.location.origin)),
        new Response(file, {
          headers: {
            'Content-Type': file.type || 'application/octet-stream',
            [NAME_HEADER]: encodeURIComponent(file.name),
            [SHARED_AT_HEADER]: sharedAt,
          },
        }),
      ),
    ),
  );
}

async function dropFiles(id) {
  const cache = await caches.open(SHARED_FILES_CACHE);
  const prefix = new URL(`/shared/${id}/`, self.location.origin).href;
  const held = (await cache.keys()).filter((request) => request.url.startsWith(prefix));
  await Promise.all(held.map((request) => cache.delete(request)));
}
