"""E-mail through a provider's API (django-anymail, Postmark here) and what the provider says
afterwards: a local HTTP server stands for Postmark's API (the outside, faked at its boundary)
and answers each message with its own MessageID, which the delivery row keeps; Postmark's
published webhook payloads (tests/data/postmark/) then post a bounce, a delivery and a spam
complaint to our tracking webhook: the rows become bounced and delivered, the complaining
subscriber is unsubscribed. Without the webhook secret, or with wrong credentials, nothing
changes."""
import base64
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.urls import reverse

from alerts.models import Delivery
from alerts.selectors import delivery_summary
from tests.alerts.test_delivery import run_fan_out

pytestmark = pytest.mark.django_db
PAYLOADS = Path(__file__).resolve().parents[1] / "data" / "postmark"
SECRET = "postmark:secret-essai"


class _PostmarkAPI(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        message_id = str(uuid.uuid4())
        self.server.received.append({"path": self.path, "body": body,
                                     "token": self.headers.get("X-Postmark-Server-Token"),
                                     "message_id": message_id})
        answer = json.dumps({"To": body["To"], "SubmittedAt": "2026-12-06T07:00:00Z",
                             "MessageID": message_id, "ErrorCode": 0, "Message": "OK"})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(answer.encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def postmark(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PostmarkAPI)
    server.received = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    settings.ANYMAIL = {"POSTMARK_SERVER_TOKEN": "jeton-essai", "WEBHOOK_SECRET": SECRET,
                        "POSTMARK_API_URL": f"http://127.0.0.1:{server.server_port}/"}
    try:
        yield server.received
    finally:
        server.shutdown()
        server.server_close()


def post_event(client, name, message_id, credentials=SECRET):
    payload = json.loads((PAYLOADS / f"{name}.json").read_text())
    payload["MessageID"] = message_id
    auth = base64.b64encode(credentials.encode()).decode()
    return client.post(reverse("anymail:postmark_tracking_webhook"), json.dumps(payload),
                       content_type="application/json", HTTP_AUTHORIZATION=f"Basic {auth}")


def test_bounce_delivery_and_complaint_reports_reach_the_delivery_log(
        client, make_alert, subscribe, postmark, django_capture_on_commit_callbacks):
    bounced = subscribe(email="inconnu@example.org")
    reached = subscribe(email="recu@example.org")
    annoyed = subscribe(email="plainte@example.org")
    alert = make_alert()
    assert run_fan_out(alert, django_capture_on_commit_callbacks) == 3
    assert len(postmark) == 3 and {r["token"] for r in postmark} == {"jeton-essai"}
    sent_ids = {r["body"]["To"]: r["message_id"] for r in postmark}
    rows = {row.subscriber_id: row for row in Delivery.objects.filter(alert=alert)}
    assert {rows[s.pk].provider_id for s in (bounced, reached, annoyed)} == set(sent_ids.values())

    assert post_event(client, "bounce", rows[bounced.pk].provider_id).status_code == 200
    assert post_event(client, "delivery", rows[reached.pk].provider_id).status_code == 200
    assert post_event(client, "spam_complaint", rows[annoyed.pk].provider_id).status_code == 200

    statuses = dict(Delivery.objects.filter(alert=alert).values_list("subscriber_id", "status"))
    assert statuses[bounced.pk] == "bounced" and statuses[reached.pk] == "delivered"
    error = Delivery.objects.get(subscriber=bounced).error  # the provider's reason, for staff
    assert error.startswith("Postmark bounced") and "unable to deliver" in error
    annoyed.refresh_from_db()
    assert not annoyed.subscriptions.exists()
    summary = delivery_summary(alert)
    assert (summary["bounced"], summary["delivered"], summary["sent"]) == (1, 1, 1)


def test_the_webhook_wants_its_secret(client, make_alert, subscribe, postmark, settings,
                                      django_capture_on_commit_callbacks):
    subscriber = subscribe(email="inconnu@example.org")
    run_fan_out(make_alert(), django_capture_on_commit_callbacks)
    row = Delivery.objects.get(subscriber=subscriber)
    assert post_event(client, "bounce", row.provider_id, "postmark:devine").status_code == 400
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": ""}
    assert post_event(client, "bounce", row.provider_id).status_code == 404
    row.refresh_from_db()
    assert row.status == "sent"
