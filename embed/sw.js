// trackline's service worker, for the hosted tracking page only (the element on a storefront
// never registers one on the shop's origin). It keeps the page's shell for offline use — the
// widget then shows the answer the device saved — and shows buyers' notifications.
//
// The build (`cargo xtask post-build`) writes the shell's hashed file names in; a new build is a
// new worker, which drops the old shell.
"use strict";

const SHELL = /*@SHELL@*/ ["/"];
const CACHE = "trackline-shell-" + /*@VERSION@*/ "dev";

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys
            .filter((key) => key.startsWith("trackline-shell-") && key !== CACHE)
            .map((key) => caches.delete(key)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  // Statuses come from the network or the widget's own saved copy, never from this cache.
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  if (request.mode === "navigate") {
    // The network first: the page the server renders holds the freshest status. Offline, the
    // shell, whose widget reads the number from the address and shows the saved answer.
    event.respondWith(
      fetch(request).catch(() =>
        caches
          .match("/", { ignoreSearch: true, ignoreVary: true })
          .then((shell) => shell || Response.error()),
      ),
    );
    return;
  }
  // The shell's files are hashed: a copy is as good as the network's. The server varies them by
  // Origin and Accept-Encoding, which a module's request and the worker's own differ in.
  event.respondWith(
    caches.match(request, { ignoreVary: true }).then((kept) => kept || fetch(request)),
  );
});

/** The notification a push carries, read defensively: a push must always show something. */
function notificationOf(data) {
  let message = {};
  try {
    message = data ? data.json() : {};
  } catch (_) {
    message = {};
  }
  const text = (value, fallback) => (typeof value === "string" && value ? value : fallback);
  const title = text(message.title, "trackline");
  const options = {
    body: text(message.body, ""),
    tag: text(message.tag, "trackline"),
    lang: text(message.lang, ""),
    icon: "/icon-192.png",
    badge: "/icon-192.png",
    renotify: true,
    data: { url: text(message.url, "/"), unsubscribe: text(message.unsubscribe, "") },
    actions: message.stop ? [{ action: "stop", title: text(message.stop, "") }] : [],
  };
  return { title, options };
}

self.addEventListener("push", (event) => {
  const { title, options } = notificationOf(event.data);
  event.waitUntil(self.registration.showNotification(title, options));
});

/**
 * Tells this server that the push service replaced the browser's subscription (it expired, or
 * its keys changed), so that every parcel of the old one keeps being told through the new one
 * without the buyer coming back (Chrome 138+, Firefox 137+ and Safari 16+ fire the event). Where
 * the browser does not say which subscription ended (both fields may be null; Firefox before 137
 * gives neither), the old one ends on the push service's 410 and the buyer taps Notify me again.
 */
async function renew(old, renewed) {
  if (!old || typeof old.endpoint !== "string") return undefined;
  let fresh = renewed;
  if (!fresh) {
    let key = old.options && old.options.applicationServerKey;
    if (!key) {
      const answer = await fetch("/api/v1/push/key");
      if (!answer.ok) return undefined;
      key = (await answer.json()).public_key;
    }
    fresh = await self.registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  }
  return fetch("/api/v1/push/renew", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ endpoint: old.endpoint, subscription: fresh.toJSON() }),
  });
}

self.addEventListener("pushsubscriptionchange", (event) => {
  event.waitUntil(renew(event.oldSubscription, event.newSubscription).catch(() => undefined));
});

/** Where a click goes: a page of this origin only, whatever a message says. */
function pageOf(data) {
  const target = new URL((data && data.url) || "/", self.location.origin);
  return target.origin === self.location.origin ? target.href : new URL("/", self.location.origin).href;
}

self.addEventListener("notificationclick", (event) => {
  const data = event.notification.data || {};
  event.notification.close();
  if (event.action === "stop") {
    // Ends this parcel's notifications; the browser's subscription stays for its other parcels.
    event.waitUntil(
      self.registration.pushManager.getSubscription().then((subscription) => {
        if (!subscription || !data.unsubscribe) return undefined;
        const api = new URL(data.unsubscribe, self.location.origin);
        if (api.origin !== self.location.origin) return undefined;
        return fetch(api.href, {
          method: "DELETE",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ endpoint: subscription.endpoint }),
        });
      }),
    );
    return;
  }
  const page = pageOf(data);
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      const open = windows.find((window) => window.url === page);
      return open ? open.focus() : self.clients.openWindow(page);
    }),
  );
});
