// Registers the site's service worker (/sw.js, given as the body's data-service-worker) from
// every page, for the whole site: it keeps the offline page and shows it when a page cannot be
// reached, and it shows the city's alerts as notifications. The same script and scope as the
// alerts page's button (alerts/push.js): one worker for the site. After the page's load, so
// that it never slows the page down; a browser that refuses (private window) changes nothing.
const url = document.body.dataset.serviceWorker;

function register() {
  navigator.serviceWorker.register(url, { scope: "/" }).catch(() => {});
}

if (url && "serviceWorker" in navigator) {
  if (document.readyState === "complete") register();
  else window.addEventListener("load", register, { once: true });
}
