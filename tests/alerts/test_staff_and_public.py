"""Alert pages (issue 13 parts 1 and 6): staff only for the clerks' pages; a draft from the form
with each target given without the map; the preview's counts, list and CSV; send, update,
cancel with their versions and fan-out; bad input refused with a message and nothing sent; the
current alert on the home page and on a reached property page only; the feeds (Atom and RSS
parse; the CAP messages validate against the OASIS CAP 1.2 schema)."""
import csv
import datetime as dt
import io
import json
import time
from pathlib import Path
from unittest import mock
from xml.etree import ElementTree

import pytest
import shapely
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from alerts import selectors, services
from alerts.models import Alert, Subscriber, Subscription, Topic
from properties.models import Property
from tests import independent

pytestmark = pytest.mark.django_db
XSD = Path(settings.BASE_DIR) / "alerts" / "schemas" / "CAP-v1.2.xsd"
CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"


def local(value):
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def form_data(topic, **extra):
    now = timezone.now()
    data = {"topic": topic.pk, "severity": "moderate", "title_fr": "Rue fermée",
            "body_fr": "Travaux.", "title_en": "", "body_en": "",
            "starts_at": local(now - dt.timedelta(minutes=5)),
            "ends_at": local(now + dt.timedelta(days=1)), "target": "territory"}
    data.update(extra)
    return data


def draft_data(topic):
    return {"topic": topic, "severity": "moderate", "title_fr": "Rue fermée",
            "body_fr": "Travaux.", "starts_at": timezone.now(), "target": "territory"}


def square_wgs84(size_m=300):
    """A GeoJSON square (WGS 84) of `size_m` around the territory's representative point."""
    c = independent.territory().representative_point()
    square = GEOSGeometry(shapely.box(c.x - size_m / 2, c.y - size_m / 2, c.x + size_m / 2,
                                      c.y + size_m / 2).wkt, srid=settings.GUICHET_SRID)
    return square.transform(4326, clone=True).json


@pytest.fixture
def fan_out_calls():
    """The delivery's fan_out task replaced by a mock: its `enqueue` calls are what the staff side
    promises (alerts.services imports it at the time of the call)."""
    with mock.patch("alerts.delivery.fan_out") as fan_out:
        yield fan_out.enqueue


# --- privacy ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name, args", [("list", []), ("create", []), ("detail", [1]),
                                        ("edit", [1]), ("addresses_csv", [1])])
def test_staff_pages_are_for_staff_only(client, citizen, name, args):
    url = reverse(f"alerts_staff:{name}", args=args)
    response = client.get(url)
    assert response.status_code == 302 and "/compte/login/" in response["Location"]
    client.force_login(citizen)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("name", ["send", "schedule", "cancel"])
def test_staff_actions_are_for_staff_only(client, citizen, topic, name, fan_out_calls):
    alert = services.save_alert(data=draft_data(topic), by=None)
    url = reverse(f"alerts_staff:{name}", args=[alert.pk])
    assert client.post(url).status_code == 302
    client.force_login(citizen)
    assert client.post(url).status_code == 403
    alert.refresh_from_db()
    assert alert.status == Alert.Status.DRAFT and not fan_out_calls.called


def test_a_draft_is_not_public(client, topic):
    alert = services.save_alert(data=draft_data(topic), by=None)
    assert client.get(reverse("alerts:detail", args=[alert.pk])).status_code == 404
    assert client.get(reverse("alerts:cap", args=[alert.pk])).status_code == 404


# --- the clerk's loop --------------------------------------------------------------------------

def test_polygon_preview_send_update_cancel(client, clerk, topic, fan_out_calls,
                                            django_capture_on_commit_callbacks):
    client.force_login(clerk)
    response = client.post(reverse("alerts_staff:create"),
                           form_data(topic, target="polygon", drawn=square_wgs84()))
    assert response.status_code == 302, response.content.decode()[:3000]
    alert = Alert.objects.latest("pk")
    assert alert.status == Alert.Status.DRAFT and alert.area is not None
    # A subscriber on a reached property, one on a property outside, one for another topic.
    inside = list(selectors.properties_reached(alert)[:2])
    outside = Property.objects.exclude(pk__in=selectors.properties_reached(alert)).first()
    for n, prop in enumerate([*inside, outside]):
        sub = Subscriber.objects.create(email=f"abonne{n}@courriel.example",
                                        confirmed_at=timezone.now())
        Subscription.objects.create(subscriber=sub, property=prop, channels=["email"])
    other = Subscription.objects.get(property=inside[1])
    other.topics.add(Topic.objects.create(code="autre", name_fr="Autre", name_en="Other"))
    page = client.get(reverse("alerts_staff:detail", args=[alert.pk]))
    text = page.content.decode()
    count = selectors.properties_reached(alert).count()
    assert count > 0
    assert f'data-testid="reach-properties">{count}<' in text
    assert 'data-testid="reach-subscribers">1<' in text
    rows = list(csv.reader(io.StringIO(b"".join(
        client.get(reverse("alerts_staff:addresses_csv", args=[alert.pk])).streaming_content)
        .decode("utf-8-sig"))))
    assert len(rows) == count + 1
    assert {r[0] for r in rows[1:]} == set(selectors.properties_reached(alert)
                                           .values_list("matricule", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("alerts_staff:send", args=[alert.pk]))
    alert.refresh_from_db()
    assert alert.status == Alert.Status.SENT and alert.sent_at and alert.version == 1
    fan_out_calls.assert_called_once_with(alert.pk, 1)
    # An update: the next version, fanned out.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("alerts_staff:edit", args=[alert.pk]),
                               form_data(topic, target="polygon", drawn=square_wgs84(),
                                         body_fr="Travaux prolongés."))
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.version == 2 and alert.body_fr == "Travaux prolongés."
    fan_out_calls.assert_called_with(alert.pk, 2)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("alerts_staff:cancel", args=[alert.pk]))
    alert.refresh_from_db()
    assert alert.status == Alert.Status.CANCELLED and alert.version == 3
    fan_out_calls.assert_called_with(alert.pk, 3)
    assert [h["kind"] for h in alert.history] == ["alert", "update", "cancel"]


def test_targets_without_the_map(client, clerk, topic):
    client.force_login(clerk)
    from alerts.forms import zones_in_force
    from alerts.targeting import street_names

    zone = zones_in_force().first()
    street = street_names()[0]
    address = Property.objects.filter(addresses__isnull=False, address_point__isnull=False) \
        .first().addresses.first().label
    for extra in ({"target": "zones", "zones": [zone.pk]},
                  {"target": "streets", "streets": [street]},
                  {"target": "buffer", "buffer_m": 200, "address": address}):
        response = client.post(reverse("alerts_staff:create"), form_data(topic, **extra))
        assert response.status_code == 302, (extra, response.content.decode()[:2000])
        alert = Alert.objects.latest("pk")
        assert alert.target == extra["target"]
        assert selectors.properties_reached(alert).exists()


@pytest.mark.parametrize("extra, message", [
    ({"target": "polygon", "drawn": json.dumps({"type": "Polygon", "coordinates": [[
        [-73.5, 45.5], [-73.49, 45.5], [-73.49, 45.51], [-73.5, 45.5]]]})},
     "outside the territory"),
    ({"target": "zones"}, "at least one collection zone"),
    ({"target": "polygon"}, "Draw the area"),
    ({"title_fr": "", "body_fr": ""}, "French"),
    ({"target": "buffer", "buffer_m": 100, "address": "99999 rue Inexistante"}, "No address"),
])
def test_bad_input_is_refused_and_nothing_is_saved_or_sent(client, clerk, topic, extra, message,
                                                          fan_out_calls):
    client.force_login(clerk)
    before = Alert.objects.count()
    response = client.post("/en" + reverse("alerts_staff:create"), form_data(topic, **extra))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Alert.objects.count() == before and not fan_out_calls.called


def test_an_alert_reaching_no_property_is_not_sent(topic, clerk, fan_out_calls):
    from django.core.exceptions import ValidationError

    territory = independent.territory()
    c = territory.representative_point()
    # An area on no property (a triangle far east of the town), as an empty target would be.
    alert = services.save_alert(data=draft_data(topic), by=clerk)
    alert.area = GEOSGeometry(f"SRID={settings.GUICHET_SRID};MULTIPOLYGON((("
                              f"{c.x + 1e6} {c.y}, {c.x + 1e6 + 1} {c.y}, {c.x + 1e6 + 1} "
                              f"{c.y + 1}, {c.x + 1e6} {c.y}))))")
    alert.save()
    with pytest.raises(ValidationError) as error:
        services.send_alert(alert, by=clerk)
    assert error.value.code == "empty_target" and error.value.messages[0]
    alert.refresh_from_db()
    assert alert.status == Alert.Status.DRAFT and not fan_out_calls.called


def test_schedule_then_send_when_due(topic, clerk, fan_out_calls,
                                     django_capture_on_commit_callbacks):
    alert = services.save_alert(data=draft_data(topic), by=clerk)
    services.schedule_alert(alert, send_at=timezone.now() + dt.timedelta(hours=1), by=clerk)
    assert services.send_due_alerts() == []
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_due_alerts(now=timezone.now() + dt.timedelta(hours=2)) == [alert.pk]
    alert.refresh_from_db()
    assert alert.status == Alert.Status.SENT
    fan_out_calls.assert_called_once_with(alert.pk, 1)


# --- public ------------------------------------------------------------------------------------

@pytest.fixture
def sent_alert(topic, clerk, fan_out_calls):
    """A current alert on a 300 m square in the middle of the town, sent, then updated."""
    drawn = GEOSGeometry(square_wgs84(), srid=4326).transform(settings.GUICHET_SRID, clone=True)
    alert = services.save_alert(data={
        "topic": topic, "severity": "severe", "title_fr": "Avis d'ébullition",
        "body_fr": "Faites bouillir l'eau.", "title_en": "Boil-water notice",
        "body_en": "Boil the water.", "starts_at": timezone.now() - dt.timedelta(hours=1),
        "ends_at": timezone.now() + dt.timedelta(days=2), "target": "polygon", "drawn": drawn},
        by=clerk)
    services.send_alert(alert, by=clerk)
    return alert


def test_current_alert_on_home_and_on_reached_property_pages_only(client, sent_alert):
    assert "Avis d&#x27;ébullition" in client.get(reverse("portal:home")).content.decode()
    reached = selectors.properties_reached(sent_alert).first()
    other = Property.objects.exclude(pk__in=selectors.properties_reached(sent_alert)) \
        .exclude(parcel=None).first()
    assert "Avis d&#x27;ébullition" in client.get(
        reverse("portal:property", args=[reached.pk])).content.decode()
    assert "Avis d&#x27;ébullition" not in client.get(
        reverse("portal:property", args=[other.pk])).content.decode()
    services.cancel_alert(sent_alert, by=None)
    assert "Avis d&#x27;ébullition" not in client.get(
        reverse("portal:property", args=[reached.pk])).content.decode()


def test_the_home_page_shows_a_sending_or_a_cancellation_at_once(
        client, sent_alert, django_capture_on_commit_callbacks):
    """The home page's list is cached (alerts.current): a change must reach it at once, in
    both languages."""
    home, home_en = reverse("portal:home"), "/en/"
    assert "Avis d&#x27;ébullition" in client.get(home).content.decode()
    assert "Boil-water notice" in client.get(home_en, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_alert(sent_alert, by=None)
    assert "Avis d&#x27;ébullition" not in client.get(home).content.decode()
    assert "Boil-water notice" not in client.get(home_en).content.decode()


def test_an_alert_leaves_the_home_page_when_it_ends(client, topic, clerk, fan_out_calls):
    """Nobody saves anything when an alert ends: the cached list expires then by itself."""
    ends = timezone.now() + dt.timedelta(seconds=2)
    alert = services.save_alert(data={**draft_data(topic), "title_fr": "Collecte reportée",
                                      "ends_at": ends}, by=clerk)
    services.send_alert(alert, by=clerk)
    assert "Collecte reportée" in client.get(reverse("portal:home")).content.decode()
    while timezone.now() < ends + dt.timedelta(seconds=1.1):
        time.sleep(0.2)
    assert "Collecte reportée" not in client.get(reverse("portal:home")).content.decode()


def test_public_list_and_page(client, sent_alert):
    text = client.get(reverse("alerts:list")).content.decode()
    assert reverse("alerts:detail", args=[sent_alert.pk]) in text
    assert client.get(reverse("alerts:detail", args=[sent_alert.pk])).status_code == 200


def test_atom_and_rss_feeds_parse(client, sent_alert, topic):
    reached = selectors.properties_reached(sent_alert).first()
    other = Property.objects.exclude(pk__in=selectors.properties_reached(sent_alert)) \
        .exclude(parcel=None).first()
    c = GEOSGeometry(square_wgs84(), srid=4326).centroid
    urls = {reverse("alerts:feed_atom"): True,
            reverse("alerts:topic_atom", args=[topic.code]): True,
            reverse("alerts:property_atom", args=[reached.pk]): True,
            reverse("alerts:property_atom", args=[other.pk]): False,
            reverse("alerts:point_atom") + f"?lon={c.x}&lat={c.y}": True,
            reverse("alerts:cap_index"): True}
    for url, carries in urls.items():
        response = client.get(url)
        assert response.status_code == 200, url
        root = ElementTree.fromstring(response.content)
        assert root.tag == "{http://www.w3.org/2005/Atom}feed"
        ids = [e.text for e in root.iter("{http://www.w3.org/2005/Atom}id")]
        assert (f"urn:uuid:{sent_alert.identifier}" in ids) is carries, url
    rss = ElementTree.fromstring(client.get(reverse("alerts:feed_rss")).content)
    assert rss.find("channel/item/title").text == "Avis d'ébullition"
    assert client.get(reverse("alerts:point_atom") + "?lon=x&lat=1").status_code == 404


def test_cap_messages_validate_against_the_cap_1_2_schema(client, sent_alert):
    schema = etree.XMLSchema(etree.parse(str(XSD)))

    def message():
        response = client.get(reverse("alerts:cap", args=[sent_alert.pk]))
        assert response["Content-Type"].startswith("application/cap+xml")
        document = etree.fromstring(response.content)
        schema.assertValid(document)
        return document

    first = message()
    assert first.findtext(f"{CAP}msgType") == "Alert"
    infos = first.findall(f"{CAP}info")
    assert [i.findtext(f"{CAP}language") for i in infos] == ["fr-CA", "en-CA"]
    assert infos[0].findtext(f"{CAP}severity") == "Severe"
    polygon = infos[0].findtext(f"{CAP}area/{CAP}polygon")
    pairs = [tuple(map(float, p.split(","))) for p in polygon.split()]
    assert pairs[0] == pairs[-1] and len(pairs) >= 4
    assert all(45 < lat < 46 and -75 < lon < -73 for lat, lon in pairs)  # lat,lon in WGS 84
    services.update_alert(sent_alert, data={"body_fr": "Toujours en vigueur."}, by=None)
    sent_alert.refresh_from_db()
    services.cancel_alert(sent_alert, by=None)
    cancelled = message()
    assert cancelled.findtext(f"{CAP}msgType") == "Cancel"
    references = cancelled.findtext(f"{CAP}references").split()
    assert len(references) == 2 and references[0].split(",")[1] == first.findtext(
        f"{CAP}identifier")
