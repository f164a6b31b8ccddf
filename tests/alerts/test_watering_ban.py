"""Issue 13: "Watering bans created from the schedules module can be announced in one step."
The clerk's alert list offers the current and coming bans; one click makes a draft alert with
the ban's titles, period and area (the territory when the ban has none), then its preview.
Staff only."""
import datetime as dt

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.urls import reverse
from django.utils import timezone

from alerts import selectors
from alerts.models import Alert, Topic
from collections_schedule.models import WateringBan
from properties.models import Property

pytestmark = pytest.mark.django_db


@pytest.fixture
def ban():
    Topic.objects.get_or_create(code="penurie-eau", defaults={
        "name_fr": "Pénurie d'eau", "name_en": "Water shortage"})
    home = Property.objects.exclude(parcel=None).order_by("pk")[30]
    x, y = home.parcel.centroid.x, home.parcel.centroid.y
    area = MultiPolygon(Polygon.from_bbox((x - 150, y - 150, x + 150, y + 150)),
                        srid=home.parcel.srid)
    start = timezone.now() + dt.timedelta(days=1)
    return WateringBan.objects.create(
        title_fr="Interdiction d'arrosage : canicule", title_en="Watering ban: heat wave",
        starts_at=start, ends_at=start + dt.timedelta(days=3), area=area)


def test_a_ban_becomes_a_draft_alert_with_its_area_in_one_click(client, clerk, ban):
    client.force_login(clerk)
    listing = client.get(reverse("alerts_staff:list")).content.decode()
    assert 'data-testid="watering-bans"' in listing and "canicule" in listing
    response = client.post(reverse("alerts_staff:from_watering_ban", args=[ban.pk]))
    alert = Alert.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("alerts_staff:detail", args=[alert.pk])
    assert alert.status == Alert.Status.DRAFT and alert.topic.code == "penurie-eau"
    assert (alert.title_fr, alert.title_en) == (ban.title_fr, ban.title_en)
    assert (alert.starts_at, alert.ends_at) == (ban.starts_at, ban.ends_at)
    assert alert.body_fr and alert.body_en and alert.body_fr != alert.body_en
    # The same properties as the ban's area (inside the territory).
    inside = set(Property.objects.filter(retired_roll_year=None)
                 .filter(parcel__intersects=ban.area).values_list("pk", flat=True))
    assert inside and set(selectors.properties_reached(alert).values_list("pk", flat=True)) \
        >= inside


def test_a_ban_without_area_is_announced_to_the_whole_territory(client, clerk, ban):
    ban.area = None
    ban.save()
    client.force_login(clerk)
    client.post(reverse("alerts_staff:from_watering_ban", args=[ban.pk]))
    assert Alert.objects.get().target == Alert.Target.TERRITORY


def test_only_staff_announce_a_ban(client, citizen, ban):
    url = reverse("alerts_staff:from_watering_ban", args=[ban.pk])
    assert client.post(url).status_code == 302  # to the sign-in page
    client.force_login(citizen)
    assert client.post(url).status_code == 403
    assert not Alert.objects.exists()
