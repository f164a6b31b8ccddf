"""Browser notifications: Web Push (RFC 8030) through pywebpush, each message encrypted for one
browser (RFC 8291, aes128gcm) and signed with the city's VAPID key (RFC 8292).

A row goes to every browser its subscriber turned on (PushEndpoint): a JSON payload {"title",
"body", "url", "tag"} that our service worker (/sw.js) shows. Outcomes, per browser: 201/202
accepted; 404/410 the browser dropped the subscription, so the PushEndpoint goes; 429, 5xx or no
answer, try again later; another 4xx, refused. The row is sent when one browser accepted it
(provider id: the push service's Location, else its host), queued again when none did and one
may later, failed for good when no browser is left ("no browser subscription left") or all
refused it.

As with text messages, a row is committed as sent after the push service accepted it: a worker
killed in between sends it again, and the notification's tag (the alert, its identifier) makes
the browser replace the earlier one rather than show it twice; an alert's messages share one
Topic header too, so a push service holding an undelivered earlier version keeps the newer one
only. One HTTP session per batch, closed after it (no process-global client)."""
import json
from urllib.parse import urlsplit

import requests
from django.conf import settings
from py_vapid import Vapid, VapidException
from pywebpush import WebPushException, webpush

from ..delivery import urgent
from ..messages import NoLongerDue, compose
from ..models import PushEndpoint
from ..selectors import push_configured
from . import mark_failed, mark_sent

TTL_S = 12 * 3600  # a browser offline longer than this does not get the message
TIMEOUT_S = 10
NO_BROWSER_LEFT = "no browser subscription left"

ACCEPTED, GONE, RETRY, REFUSED = "accepted", "gone", "retry", "refused"


def tag(row) -> str:
    """The notification's tag: one per alert (its versions replace each other), one per
    reminder."""
    if row.alert_id is not None:
        return f"alert-{row.alert.identifier}"
    return f"reminder-{row.kind}-{row.subject}-{row.on}"


def payload(row, rendered: dict | None = None) -> bytes:
    """What the service worker shows, in the subscriber's language (NoLongerDue for a reminder
    that no longer holds); `rendered`: the batch's texts (messages.compose)."""
    message = compose(row, rendered)
    return json.dumps({"title": message.subject, "body": message.notice, "url": message.url,
                       "tag": tag(row)}, ensure_ascii=False).encode()


def headers(row) -> dict:
    # Topic (RFC 8030 5.4): at most 32 base64url characters; an alert's identifier in hex is.
    values = {"Urgency": "high" if urgent(row) else "normal"}
    if row.alert_id is not None:
        values["Topic"] = row.alert.identifier.hex
    return values


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def push(session, vapid, endpoint: PushEndpoint, data: bytes, extra: dict) -> tuple[str, str]:
    """Sends one message to one browser: (outcome, provider id or error)."""
    host = urlsplit(endpoint.endpoint).hostname or "?"
    try:
        response = webpush(
            {"endpoint": endpoint.endpoint,
             "keys": {"p256dh": endpoint.p256dh, "auth": endpoint.auth}},
            data=data, vapid_private_key=vapid,
            # A new dict each time: pywebpush writes "aud" and "exp" into it.
            vapid_claims={"sub": settings.GUICHET_VAPID_SUBJECT,
                          "aud": _origin(endpoint.endpoint)},
            ttl=TTL_S, timeout=TIMEOUT_S, headers=extra, requests_session=session)
    except WebPushException as error:
        status = error.status_code
        if status is None:  # keys the encryption cannot use: this subscription never works
            return GONE, f"{host}: {error.message}"
        if status in (404, 410):
            return GONE, f"{host}: HTTP {status}"
        outcome = RETRY if status == 429 or status >= 500 else REFUSED
        return outcome, f"{host}: HTTP {status}"
    except VapidException as error:  # our subject or key (settings): fixed by the city
        return RETRY, f"VAPID: {error}"
    except requests.TooManyRedirects:
        return REFUSED, f"{host}: redirected"
    except requests.RequestException as error:
        return RETRY, f"{host}: {type(error).__name__}"
    except ValueError as error:  # a key that is not a point of the curve
        return GONE, f"{host}: {error}"
    return ACCEPTED, response.headers.get("Location") or host


def send_row(session, vapid, row, claim, rendered: dict | None = None):
    """Sends `row` to its subscriber's browsers and records the outcome; the retry time when
    queued again, else None."""
    try:
        data = payload(row, rendered)
    except NoLongerDue:
        mark_failed(row, claim, "no longer due", temporary=False)
        return None
    extra = headers(row)
    accepted, errors, retry = [], [], False
    for endpoint in row.subscriber.push_endpoints.order_by("pk"):
        outcome, detail = push(session, vapid, endpoint, data, extra)
        if outcome == ACCEPTED:
            accepted.append(detail)
            continue
        errors.append(detail)
        if outcome == GONE:  # the browser revoked it (or its keys never worked)
            PushEndpoint.objects.filter(pk=endpoint.pk, endpoint=endpoint.endpoint).delete()
        retry = retry or outcome == RETRY
    if accepted:
        mark_sent(row.pk, claim, accepted[0])
        return None
    if retry:
        return mark_failed(row, claim, "; ".join(errors), temporary=True)
    if not row.subscriber.push_endpoints.exists():
        error = NO_BROWSER_LEFT + (f" ({'; '.join(errors)})" if errors else "")
        mark_failed(row, claim, error, temporary=False)
        return None
    mark_failed(row, claim, "; ".join(errors), temporary=False)
    return None


def send_batch(rows, claim) -> list:
    retries = []
    if not push_configured():
        for row in rows:
            retries.append((row, mark_failed(row, claim, "GUICHET_VAPID_PRIVATE_KEY is not set",
                                             temporary=True)))
        return [r for r in retries if r[1]]
    vapid, rendered = Vapid.from_string(settings.GUICHET_VAPID_PRIVATE_KEY), {}
    with requests.Session() as session:
        session.max_redirects = 0  # a push service answers; it does not send us elsewhere
        for row in rows:
            when = send_row(session, vapid, row, claim, rendered)
            if when:
                retries.append((row, when))
    return retries
