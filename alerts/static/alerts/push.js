// "Get alerts in this browser" on the citizen's alerts page: registers our service worker
// (/sw.js), asks the permission, subscribes to the browser's push service with the city's VAPID
// public key and posts the subscription (endpoint, keys.p256dh, keys.auth) to Guichet with the
// CSRF token. A file of ours, no inline script (Content-Security-Policy): the key, the addresses
// and the messages, in the page's language, are data- attributes of [data-push].
const box = document.querySelector("[data-push]");

function keyBytes(base64url) {
  const padded = base64url + "=".repeat((4 - (base64url.length % 4)) % 4);
  const raw = atob(padded.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

function sameKey(subscription, key) {
  const current = subscription.options && subscription.options.applicationServerKey;
  if (!current) return true; // the browser does not say: keep it
  const bytes = new Uint8Array(current);
  return bytes.length === key.length && bytes.every((b, i) => b === key[i]);
}

if (box) {
  const button = box.querySelector("[data-push-subscribe]");
  const status = box.querySelector("[data-push-status]");
  const say = (text) => {
    status.textContent = text || "";
  };
  const supported =
    "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;

  async function turnOn() {
    button.disabled = true;
    say(box.dataset.msgWorking);
    try {
      const registration = await navigator.serviceWorker.register(box.dataset.pushWorker, {
        scope: "/",
      });
      const permission = await Notification.requestPermission();
      if (permission !== "granted") {
        say(box.dataset.msgDenied);
        return;
      }
      await navigator.serviceWorker.ready;
      const key = keyBytes(box.dataset.pushKey);
      let subscription = await registration.pushManager.getSubscription();
      if (subscription && !sameKey(subscription, key)) {
        await subscription.unsubscribe(); // made with an earlier key of the city's
        subscription = null;
      }
      if (!subscription) {
        subscription = await registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: key,
        });
      }
      const json = subscription.toJSON();
      const response = await fetch(box.dataset.pushUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          "X-CSRFToken": box.querySelector("[name=csrfmiddlewaretoken]").value,
        },
        body: JSON.stringify({
          endpoint: json.endpoint,
          keys: { p256dh: json.keys.p256dh, auth: json.keys.auth },
        }),
      });
      const answer = await response.json().catch(() => ({}));
      if (!response.ok) {
        say(answer.error || box.dataset.msgError);
        return;
      }
      say(box.dataset.msgDone);
      window.location.reload(); // the list of browsers, and the channel now offered
    } catch (error) {
      say(box.dataset.msgError);
    } finally {
      button.disabled = false;
    }
  }

  if (supported) {
    button.hidden = false;
    button.addEventListener("click", turnOn);
  } else {
    say(box.dataset.msgUnsupported);
  }
}
