// Guichet's service worker, served at /sw.js (alerts.views.public.service_worker) so that its
// scope is the whole site. It shows the city's alerts sent by Web Push (alerts/channels/push.py):
// each message is JSON {title, body, url, tag}; a later message with the same tag (an alert's
// update or cancellation) replaces the earlier notification. A click opens the alert's page, or
// brings forward a tab that already shows it. Nothing else: no cache, no fetch handler.
"use strict";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

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
