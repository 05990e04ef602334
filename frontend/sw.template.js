
// The service worker: it keeps the app shell so that the app opens with no network.
// The API is never cached here: the page's own sync code owns that data (IndexedDB).
// Each app (the field app at /, the workspace at /ws/) has its own worker and caches,
// and leaves the other's alone.
const CACHE = `tiendo-${APP}-${VERSION}`;
const OWN = (key) => key.startsWith(`tiendo-${APP}-`) || (APP === "root" && /^tiendo-[0-9a-f]{16}$/.test(key));
const NAVIGATION_TIMEOUT_MS = 4000;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(PRECACHE)));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => OWN(k) && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("message", (event) => {
  if (event.data === "skip-waiting") self.skipWaiting();
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/") || url.pathname === "/healthz") return;
  if (OTHER_APPS.some((prefix) => url.pathname.startsWith(prefix))) return;

  if (request.mode === "navigate") {
    // The page: the network first, so a new version shows at once, but not for longer
    // than a weak link deserves; then the cached shell.
    const shell = () => caches.match(BASE, { cacheName: CACHE });
    const network = fetch(request);
    const slow = new Promise((resolve) => setTimeout(resolve, NAVIGATION_TIMEOUT_MS)).then(shell);
    event.respondWith(
      Promise.race([network, slow.then((cached) => cached || network)])
        .catch(() => shell())
        .then((response) => response || Response.error()),
    );
    return;
  }
  // Hashed assets never change: the cache first, the network for anything else.
  event.respondWith(caches.match(request, { cacheName: CACHE }).then((cached) => cached || fetch(request)));
});
