"""The alerts tests' fixtures: the live SMTP sink and signed-up citizens (the citizens' tests'),
a local HTTP sink for the SMS gateway, topics, alerts on a small area around a demo home, and
subscribers."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.utils import timezone

from alerts.models import Alert, Subscriber, Subscription, Topic
from tests.citizens.conftest import make_citizen, smtp_sink  # noqa: F401 (fixtures)


@pytest.fixture
def homes():
    """Two demo properties far apart, each with a parcel, an address point and an address."""
    from properties.models import Property

    found = list(Property.objects.exclude(address_point=None).exclude(parcel=None)
                 .exclude(addresses=None).order_by("pk")[:400])
    first = found[0]
    far = next(p for p in found if p.address_point.distance(first.address_point) > 500)
    return first, far


def area_around(prop, metres=2):
    x, y = prop.address_point.x, prop.address_point.y
    return MultiPolygon(Polygon.from_bbox((x - metres, y - metres, x + metres, y + metres)),
                        srid=prop.address_point.srid)


@pytest.fixture
def emergency():
    return Topic.objects.create(code="urgence-essai", name_fr="Urgence", name_en="Emergency",
                                emergency=True)


@pytest.fixture
def make_alert(homes, topic):
    def make(prop=None, **fields):
        prop = prop or homes[0]
        values = {"topic": topic, "title_fr": "Avis d'ébullition", "title_en": "Boil-water notice",
                  "body_fr": "Faites bouillir l'eau.", "body_en": "Boil the water.",
                  "starts_at": timezone.now(), "target": Alert.Target.POLYGON,
                  "area": area_around(prop), "status": Alert.Status.SENT,
                  "sent_at": timezone.now(), **fields}
        return Alert.objects.create(**values)
    return make


@pytest.fixture
def subscribe(homes):
    """A confirmed subscriber without an account, subscribed to `prop` (default: the first
    home) on `channels`."""
    def make(email="", phone="", prop=None, channels=("email",), topics=(), language="fr",
             confirmed=True, **fields):
        now = timezone.now() if confirmed else None
        subscriber = Subscriber.objects.create(
            email=email, phone=phone, language=language, confirmed_at=now,
            phone_confirmed_at=now if phone else None, **fields)
        subscription = Subscription.objects.create(subscriber=subscriber,
                                                   property=prop or homes[0],
                                                   channels=list(channels))
        subscription.topics.set(topics)
        return subscriber
    return make


class _SMSHandler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        sink = self.server.sink
        sink.received.append({"body": body, "headers": dict(self.headers)})
        status = sink.answers.pop(0) if sink.answers else 200
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps({"id": f"gw-{len(sink.received)}"}).encode())

    def log_message(self, *args):
        pass


class SMSSink:
    def __init__(self):
        self.received, self.answers = [], []


@pytest.fixture
def sms_sink(settings):
    """A local HTTP server standing for the SMS gateway: records each JSON it receives;
    `answers` lists the statuses of the next answers (default 200)."""
    sink = SMSSink()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SMSHandler)
    server.sink = sink
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.GUICHET_SMS_BACKEND = "alerts.channels.sms.HttpGatewayBackend"
    settings.GUICHET_SMS_URL = f"http://127.0.0.1:{server.server_port}/messages"
    try:
        yield sink
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def clerk(django_user_model):
    return django_user_model.objects.create_user(
        username="commis-alertes", password="x-Commis-2025", email="commis@ville.example",
        is_staff=True)


@pytest.fixture
def citizen(django_user_model):
    return django_user_model.objects.create_user(username="citoyen-alertes",
                                                 password="x-Citoyen-2025",
                                                 email="citoyen@courriel.example")


@pytest.fixture
def topic():
    from alerts.models import Topic

    return Topic.objects.get_or_create(code="test-avis", defaults={
        "name_fr": "Avis d'essai", "name_en": "Test notice", "cap_category": "Infra"})[0]


@pytest.fixture
def home_committed(db):
    """The first demo home with a parcel, an address point and an address (committed data)."""
    from properties.models import Property

    return (Property.objects.exclude(address_point=None).exclude(parcel=None)
            .exclude(addresses=None).order_by("pk").first())


@pytest.fixture
def committed_alert(db, home_committed):
    """A sent alert over the first demo home with workers.N subscribers, committed for worker
    processes to see; removed afterwards."""
    from tests.alerts.workers import create_alert, in_own_connection

    alert, remove = in_own_connection(lambda: create_alert(home_committed))
    try:
        yield alert
    finally:
        in_own_connection(remove)
