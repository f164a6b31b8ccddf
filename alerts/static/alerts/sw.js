// Guichet's service worker, served at /sw.js (alerts.views.public.service_worker) so that its
// scope is the whole site, and registered by every page (core/register-worker.js). Two jobs:
//
// - The offline page (core/web_app.py): kept at install, in each language, with the files it
//   uses; shown when a page cannot be reached (no network), in the language of the page asked
//   for. The worker steps in only then: pages and files come from the network as before, and
//   requests other than page loads (the API, the map's data) are not touched at all.
// - The city's alerts sent by Web Push (alerts/channels/push.py): each message is JSON {title,
//   body, url, tag}; a later message with the same tag (an alert's update or cancellation)
//   replaces the earlier notification. A click opens the alert's page, or brings forward a tab
//   that already shows it.
//
// The view puts after "use strict" `self.GUICHET_OFFLINE = {version, pages: {language: url},
// default, files: [url]}`; a new version (a changed offline page or stylesheet) is a changed
// worker, which the browser installs again.
"use strict";

const OFFLINE = self.GUICHET_OFFLINE || { version: "none", pages: {}, default: "", files: [] };
const CACHE_PREFIX = "guichet-offline-";
const CACHE = CACHE_PREFIX + OFFLINE.version;

// Each file on its own: one that fails (the server restarting) must not stop the worker from
// installing, which would also stop the notifications.
async function keepOfflinePage() {
  const cache = await caches.open(CACHE);
  const urls = [...Object.values(OFFLINE.pages), ...OFFLINE.files];
  await Promise.allSettled(urls.map((url) => cache.add(new Request(url, { cache: "reload" }))));
}

self.addEventListener("install", (event) => {
  event.waitUntil(keepOfflinePage().finally(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((name) => name.startsWith(CACHE_PREFIX) && name !== CACHE)
      .map((name) => caches.delete(name)));
    // The page's request starts while the worker wakes up, instead of after.
    if (self.registration.navigationPreload) await self.registration.navigationPreload.enable();
    await self.clients.claim();
  })());
});

// The offline page in the language of the address asked for: "/en/..." is English, an address
// without a language prefix is in the site's default language.
function offlinePage(url) {
  const first = new URL(url).pathname.split("/")[1];
  return OFFLINE.pages[first] || OFFLINE.pages[OFFLINE.default];
}

async function fromCache(url) {
  const cache = await caches.open(CACHE);
  return (await cache.match(url)) || Response.error();
}

async function loadPage(event) {
  try {
    const preloaded = await event.preloadResponse;
    if (preloaded) return preloaded;
    return await fetch(event.request);
  } catch (error) {
    return fromCache(offlinePage(event.request.url));
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(loadPage(event));
  } else if (OFFLINE.files.includes(url.pathname)) {
    event.respondWith(fetch(request).catch(() => fromCache(url.pathname)));
  }
});

function read(event) {
  if (!event.data) return {};
  try {
    return event.data.json();
  } catch (error) {
    return { body: event.data.text() };
  }
}

// Only our own pages, or an http(s) address the message gives; anything else opens the site.
function target(url) {
  try {
    const parsed = new URL(url || "/", self.location.origin);
    if (parsed.protocol === "https:" || parsed.protocol === "http:") return parsed.href;
  } catch (error) {
    // fall through
  }
  return new URL("/", self.location.origin).href;
}

self.addEventListener("push", (event) => {
  const data = read(event);
  const options = {
    body: data.body || "",
    data: { url: target(data.url) },
  };
  if (data.tag) {
    options.tag = data.tag;
    options.renotify = true; // an update is announced again, not swapped in silently
  }
  if (data.icon) options.icon = data.icon;
  if (data.lang) options.lang = data.lang;
  event.waitUntil(self.registration.showNotification(data.title || "Guichet", options));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = target(event.notification.data && event.notification.data.url);
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      for (const client of windows) {
        if (client.url === url && "focus" in client) return client.focus();
      }
      return self.clients.openWindow(url);
    }),
  );
});

// The push service renewed the browser's subscription (its keys or its address changed): the
// worker tells the city, proving it held the old one by that one's secret (alerts.views.public
// push_renew). Without the old subscription there is nothing to prove: the citizen turns the
// browser on again from their alerts page.
self.addEventListener("pushsubscriptionchange", (event) => {
  event.waitUntil((async () => {
    const old = event.oldSubscription;
    if (!old || !self.GUICHET_PUSH_RENEW) return;
    const renewed = event.newSubscription
      || await self.registration.pushManager.subscribe(old.options);
    await fetch(self.GUICHET_PUSH_RENEW, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ old: old.toJSON(), new: renewed.toJSON() }),
    });
  })());
});
