"""Text messages through a pluggable backend (settings.GUICHET_SMS_BACKEND): the console (prints
them: the demo) or an HTTP gateway that takes JSON (GUICHET_SMS_URL). A message is posted, then
its row committed as sent, with an Idempotency-Key header naming the delivery: a worker killed
between the two posts it again on the next attempt, and a gateway that honours the key (most do)
sends it once."""
import json
import sys
import urllib.error
import urllib.request

from django.conf import settings
from django.utils.module_loading import import_string

from ..messages import NoLongerDue, compose_item
from . import SendError, SentMarks, mark_failed


class ConsoleBackend:
    def send(self, *, to: str, text: str, reference: str) -> str:
        sys.stdout.write(f"SMS to {to} [{reference}]: {text}\n")
        sys.stdout.flush()
        return f"console:{reference}"


class HttpGatewayBackend:
    """POST {"to", "text", "reference"} as JSON; a 2xx answer's JSON "id" is the provider id.
    429 and 5xx (and no answer) are temporary failures, any other 4xx a permanent one."""

    timeout = 10

    def send(self, *, to: str, text: str, reference: str) -> str:
        if not settings.GUICHET_SMS_URL:
            raise SendError("GUICHET_SMS_URL is not set", temporary=True)
        headers = {"Content-Type": "application/json", "Idempotency-Key": reference}
        if settings.GUICHET_SMS_TOKEN:
            headers["Authorization"] = f"Bearer {settings.GUICHET_SMS_TOKEN}"
        request = urllib.request.Request(  # noqa: S310 (the configured gateway's URL)
            settings.GUICHET_SMS_URL, method="POST", headers=headers,
            data=json.dumps({"to": to, "text": text, "reference": reference}).encode())
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310
                body = answer.read()
        except urllib.error.HTTPError as error:
            temporary = error.code == 429 or error.code >= 500
            raise SendError(f"HTTP {error.code}", temporary=temporary) from error
        except OSError as error:
            raise SendError(f"gateway: {error}", temporary=True) from error
        try:
            return str(json.loads(body or b"{}").get("id", ""))
        except (ValueError, AttributeError):
            return ""


def backend():
    return import_string(settings.GUICHET_SMS_BACKEND)()


def reference(row) -> str:
    return f"guichet-delivery-{row.pk}"


def send_batch(rows, claim, digests=()) -> list:
    """Sends `rows`, one text message each, and `digests` (lists of rows of one subscriber),
    one per list; returns the rows queued again, with their time, as [(row, when)]."""
    with SentMarks(claim) as marks:
        return _send(rows, claim, digests, marks)


def _send(rows, claim, digests, marks: SentMarks) -> list:
    retries, rendered = [], {}
    gateway = backend()
    for item in [[row] for row in rows] + [list(group) for group in digests]:
        phone = item[0].subscriber.phone
        try:
            if not phone:
                raise SendError("no phone number", temporary=False)
            text = compose_item(item, rendered).short
            ref = "-".join(reference(row) for row in item)[:200]
            provider_id = gateway.send(to=phone, text=text, reference=ref)
        except NoLongerDue:
            for row in item:
                mark_failed(row, claim, "no longer due", temporary=False)
        except SendError as error:
            for row in item:
                retries.append((row, mark_failed(row, claim, str(error),
                                                 temporary=error.temporary)))
        else:
            for row in item:
                marks.add(row.pk, provider_id or ref)
    return [r for r in retries if r[1]]
