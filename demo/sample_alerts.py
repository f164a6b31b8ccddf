"""Two sample alerts for the demo town, GENERATED here (they say so in their text), made
through the same services as a clerk's: a past boil-water notice on a zone, now ended, and a
current street closure around a point near the middle of the town. Loaded by
`manage.py load_demo`, not by the tests (once: a second run adds nothing)."""
import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from alerts import services
from alerts.importers.topics import load_topics
from alerts.models import Alert, Topic
from collections_schedule.models import Zone
from geo.models import Territory

MARK = "(alerte de démonstration, générée)"


@transaction.atomic
def load_sample_alerts() -> str:
    load_topics(settings.BASE_DIR / "data" / "pincourt" / "alert-topics.json")
    if Alert.objects.filter(body_fr__contains=MARK).exists():
        return "already loaded"
    now = timezone.now()
    zone = (Zone.objects.in_force(timezone.localdate()).filter(zone_set__stream__slug="garbage")
            .order_by("code").first())
    past = services.save_alert(data={
        "topic": Topic.objects.get(code="avis-ebullition"), "severity": "severe",
        "title_fr": "Avis d'ébullition préventif", "title_en": "Precautionary boil-water notice",
        "body_fr": f"Faites bouillir l'eau une minute avant de la boire. {MARK}",
        "body_en": "Boil water for one minute before drinking it. (demo alert, generated)",
        "starts_at": now - dt.timedelta(days=20), "ends_at": now - dt.timedelta(days=18),
        "target": "zones" if zone else "territory"}, zones=[zone] if zone else [], by=None)
    services.send_alert(past, by=None)
    centre = Territory.objects.current().geom.point_on_surface
    current = services.save_alert(data={
        "topic": Topic.objects.get(code="fermeture-rue"), "severity": "moderate",
        "title_fr": "Travaux d'aqueduc : rue fermée", "title_en": "Water main works: street closed",
        "body_fr": f"Circulation locale seulement; eau coupée de 9 h à 15 h. {MARK}",
        "body_en": "Local traffic only; water off from 9 a.m. to 3 p.m. (demo alert, generated)",
        "starts_at": now - dt.timedelta(hours=2), "ends_at": now + dt.timedelta(days=30),
        "target": "buffer", "drawn": centre, "buffer_m": 250}, by=None)
    services.send_alert(current, by=None)
    return "2 alerts (1 past, 1 current)"
