"""Open311 GeoReport v2 (/open311/v2/): the spec's own examples, adapted to our codes; a contract
walk of every endpoint in JSON and XML; each error case with the spec's error list; photos
re-encoded without EXIF; no personal data in what is read; tokens until the e-mail is confirmed;
statuses as clerks set them; coordinates checked with pyproj, independently of the site."""
import datetime as dt
import io
import json
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone, translation
from django.utils.translation import gettext
from lxml import etree
from PIL import Image
from pyproj import Transformer

from service_requests import services
from service_requests.models import ApiClient, Category, Photo, ServiceRequest
from service_requests.open311.keys import hash_key
from tests.citizens.conftest import make_citizen, smtp_sink  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
CATEGORIES = Path(__file__).parents[2] / "data" / "pincourt" / "request-categories.json"
TO_WGS84 = Transformer.from_crs(settings.GUICHET_SRID, 4326, always_xy=True)
FROM_WGS84 = Transformer.from_crs(4326, settings.GUICHET_SRID, always_xy=True)
BASE = "/open311/v2/"
FORMATS = ("json", "xml")
# The spec's field lists (GeoReport v2, "Response" of each method), in its order.
SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type", "keywords",
                  "group"]
ATTRIBUTE_FIELDS = ["variable", "code", "datatype", "required", "datatype_description", "order",
                    "description", "values"]
REQUEST_FIELDS = ["service_request_id", "status", "status_notes", "service_name", "service_code",
                  "description", "agency_responsible", "service_notice", "requested_datetime",
                  "updated_datetime", "expected_datetime", "address", "address_id", "zipcode",
                  "lat", "long", "media_url"]


# Fixtures and helpers -------------------------------------------------------------------------

def lonlat(prop):
    """The property's address point in WGS 84, by pyproj (not by the site's code)."""
    return TO_WGS84.transform(prop.address_point.x, prop.address_point.y)


def fr(message, **params):
    with translation.override("fr"):
        return gettext(message) % params if params else gettext(message)


def get(client, endpoint, fmt="json", **params):
    return client.get(f"{BASE}{endpoint}.{fmt}", params)


def post(client, fmt="json", **data):
    """A form-encoded POST, as the spec's example (multipart when a file is sent)."""
    url = f"{BASE}requests.{fmt}"
    if any(hasattr(v, "read") for v in data.values()):
        return client.post(url, data)
    return client.post(url, urlencode(data, doseq=True),
                       content_type="application/x-www-form-urlencoded")


def parse(response, fmt):
    """JSON by json, XML by lxml (its declaration checked)."""
    if fmt == "json":
        assert response["Content-Type"].startswith("application/json")
        return json.loads(response.content)
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return etree.fromstring(response.content)


def errors(response, fmt):
    """The spec's error list as [(code, description)], checking its shape in either format."""
    body = parse(response, fmt)
    if fmt == "json":
        assert isinstance(body, list) and body
        assert all(set(e) == {"code", "description"} for e in body)
        return [(e["code"], e["description"]) for e in body]
    assert body.tag == "errors"
    assert all([c.tag for c in e] == ["code", "description"] for e in body)
    assert {e.tag for e in body} == {"error"}
    return [(int(e.findtext("code")), e.findtext("description")) for e in body]


def sample_post(pothole, home, api_key, **extra):
    """The spec's sample POST ("api_key=xyz&service_code=001&lat=37.76524078&long=-122.4212043
    &address_string=...&email=smit333%40sfgov.edu&device_id=tt222111&account_id=123456
    &first_name=john&last_name=smith&phone=111111111&description=ghsd+ghsd+ghds+ghsd
    &media_url=...") with our code, a place in Pincourt and the category's required answer."""
    lon, lat = lonlat(home)
    return {"api_key": api_key, "service_code": pothole.code, "lat": f"{lat:.8f}",
            "long": f"{lon:.8f}", "email": "jean.smith@example.org", "device_id": "tt222111",
            "account_id": "123456", "first_name": "Jean", "last_name": "Smith",
            "phone": "514-555-0111", "description": "Trou profond dans la rue",
            "attribute[taille]": "moyen", **extra}


def confirmed_request(category, point, **extra):
    """A request logged by a clerk for a citizen: confirmed at once."""
    return services.submit_request(category=category, point=point, description="Trou profond",
                                   answers={"taille": "grand"}, **extra)


# The spec's examples -------------------------------------------------------------------------

def test_the_spec_sample_post_returns_a_token_until_the_email_is_confirmed(
        client, pothole, home, api_key):
    response = post(client, **sample_post(pothole, home, api_key))
    assert response.status_code == 200, response.content
    [answer] = response.json()
    created = ServiceRequest.objects.get()
    # Waiting for the reporter's e-mail: a token (the public_id), no id, no confirm_token.
    assert answer["token"] == str(created.public_id)
    assert "service_request_id" not in answer and answer["account_id"] is None
    assert str(created.confirm_token) not in response.content.decode()
    assert answer["service_notice"]
    assert not created.confirmed and created.channel == "api"
    assert created.api_client == ApiClient.objects.get(name="App citoyenne")
    assert created.answers == {"taille": "moyen"}
    assert (created.contact_name, created.contact_email, created.contact_phone) == (
        "Jean Smith", "jean.smith@example.org", "514-555-0111")
    assert created.description == "Trou profond dans la rue"
    assert created.property_id == home.pk


def test_the_spec_sample_queries(client, pothole, home, make_citizen):  # noqa: F811
    """GET requests.json?start_date=2010-05-24T00:00:00Z&end_date=2010-06-24T00:00:00Z
    &status=open, ?service_request_id=a,b, ?service_code=..."""
    citizen = make_citizen("alice@example.org")
    lamp = Category.objects.get(code="lampadaire")
    first = confirmed_request(pothole, home.address_point, user=citizen)
    second = services.submit_request(category=lamp, point=home.address_point, user=citizen,
                                     description="Éteint", answers={"etat": "eteint"})
    old = confirmed_request(pothole, home.address_point, user=citizen)
    ServiceRequest.objects.filter(pk=old.pk).update(
        submitted_at=timezone.now() - dt.timedelta(days=120))
    old.refresh_from_db()
    clerk = make_citizen("clerk@example.org")
    services.change_status(request=second, status="resolved", by=clerk, note="Réparé")

    def ids(**params):
        response = get(client, "requests", **params)
        assert response.status_code == 200, response.content
        return [int(r["service_request_id"]) for r in response.json()]

    today = timezone.now()
    window = {"start_date": (today - dt.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ"),
              "end_date": (today + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")}
    assert ids(**window, status="open") == [first.pk]
    assert ids(**window, status="closed") == [second.pk]
    assert ids(**window, status="open,closed") == [second.pk, first.pk]  # newest first
    assert ids() == [second.pk, first.pk]  # the last 90 days by default: not the old one
    assert ids(service_code="lampadaire") == [second.pk]
    assert ids(service_code="lampadaire,nid-de-poule") == [second.pk, first.pk]
    # service_request_id overrides every other argument (even the 90-day window).
    assert sorted(ids(service_request_id=f"{old.pk},{first.pk}", status="closed")) == sorted(
        [old.pk, first.pk])
    old_day = timezone.localtime(old.submitted_at - dt.timedelta(hours=1))
    assert ids(start_date=old_day.isoformat(timespec="seconds")) == [old.pk]  # 90 days from it
    # An offset sent unencoded ("+" read as a space) is still understood.
    assert ids(end_date=(today + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S")
               + " 00:00") == [second.pk, first.pk]


def test_a_multivaluelist_and_a_date_attribute(client, pothole, home, api_key):
    lon, lat = lonlat(home)
    place = {"api_key": api_key, "lat": lat, "long": lon, "email": "v@example.org",
             "description": "Rien n'est déneigé"}
    assert post(client, service_code="deneigement", **place,
                **{"attribute[probleme][]": ["trottoir", "rue"]}).status_code == 200
    assert ServiceRequest.objects.get().answers == {"probleme": ["rue", "trottoir"]}
    # A "datetime" attribute (our date question): its date, as written, is kept.
    day = (timezone.localdate() - dt.timedelta(days=3)).isoformat()
    response = post(client, service_code="collecte-manquee", **place,
                    **{"attribute[collecte]": "recyclage",
                       "attribute[date-collecte]": f"{day}T07:00:00-04:00"})
    assert response.status_code == 200, response.content
    assert ServiceRequest.objects.get(category__code="collecte-manquee").answers == {
        "collecte": "recyclage", "date-collecte": day}
    # The spec makes the description optional: the service's name (the staff's French) then.
    without = {k: v for k, v in place.items() if k != "description"}
    assert post(client, service_code=pothole.code, **without,
                **{"attribute[taille]": "petit"}).status_code == 200
    assert ServiceRequest.objects.get(category=pothole).description == "Nid-de-poule"


def test_an_address_string_or_an_address_id_gives_the_place(client, pothole, home, api_key):
    label = home.addresses.order_by("pk").first().label
    response = post(client, api_key=api_key, service_code=pothole.code, email="v@example.org",
                    address_string=f"{label}, Pincourt, QC", description="Trou",
                    **{"attribute[taille]": "petit"})
    assert response.status_code == 200, response.content
    by_text = ServiceRequest.objects.get()
    assert by_text.address == label
    assert by_text.location.distance(home.address_point) < 0.5  # metres, same CRS
    response = post(client, api_key=api_key, service_code=pothole.code, email="v@example.org",
                    address_id=str(home.pk), description="Trou",
                    **{"attribute[taille]": "petit"})
    assert response.status_code == 200, response.content
    by_id = ServiceRequest.objects.exclude(pk=by_text.pk).get()
    assert by_id.location.equals_exact(home.address_point, 1e-6) and by_id.address == label


# The contract: every endpoint, both formats ---------------------------------------------------

def test_every_endpoint_in_both_formats_has_the_spec_fields(client, settings, tmp_path, pothole,
                                                            home, api_key, make_citizen):  # noqa: F811
    settings.MEDIA_ROOT = str(tmp_path)
    clerk = make_citizen("clerk@example.org")
    known = confirmed_request(pothole, home.address_point, user=make_citizen("a@example.org"))
    services.add_note(request=known, by=clerk, note="Équipe en route", public=True)
    for fmt in FORMATS:
        # discovery
        body = parse(get(client, "discovery", fmt), fmt)
        if fmt == "json":
            assert {"changeset", "contact", "key_service", "endpoints"} <= set(body)
            [endpoint] = body["endpoints"]
            formats = endpoint["formats"]
        else:
            assert body.tag == "discovery"
            assert [c.tag for c in body][:4] == ["changeset", "contact", "key_service",
                                                 "endpoints"]
            [endpoint] = body.find("endpoints")
            assert endpoint.tag == "endpoint"
            formats = [f.text for f in endpoint.find("formats").iterchildren("format")]
            endpoint = {c.tag: c.text for c in endpoint if c.tag != "formats"}
        assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
        assert endpoint["url"] == "http://testserver/open311/v2/"
        assert sorted(formats) == ["application/json", "text/xml"]

        # services
        body = parse(get(client, "services", fmt), fmt)
        if fmt == "xml":
            assert body.tag == "services" and {s.tag for s in body} == {"service"}
            body = [{c.tag: c.text for c in s} for s in body]
            assert all(list(s) == SERVICE_FIELDS for s in body)
        else:
            assert all(list(s) == SERVICE_FIELDS for s in body)
        codes = [s["service_code"] for s in body]
        assert codes[:2] == ["nid-de-poule", "lampadaire"] and len(codes) == 8
        first = body[0]
        assert first["service_name"] == "Nid-de-poule" and first["group"] == "Voirie"
        assert first["type"] == "realtime"
        assert first["metadata"] in (True, "true")
        assert first["keywords"].startswith("trou, chaussée")

        # a service definition
        body = parse(get(client, "services/nid-de-poule", fmt), fmt)
        if fmt == "xml":
            assert body.tag == "service_definition"
            assert [c.tag for c in body] == ["service_code", "attributes"]
            attributes = body.find("attributes")
            assert {a.tag for a in attributes} == {"attribute"}
            assert all([c.tag for c in a] == ATTRIBUTE_FIELDS for a in attributes)
            size = attributes[0]
            assert size.findtext("code") == "taille"
            assert size.findtext("datatype") == "singlevaluelist"
            assert size.findtext("required") == "true" and size.findtext("order") == "1"
            values = [(v.findtext("key"), v.findtext("name"))
                      for v in size.find("values").iterchildren("value")]
        else:
            assert body["service_code"] == "nid-de-poule"
            size = body["attributes"][0]
            assert list(size) == ATTRIBUTE_FIELDS
            assert (size["code"], size["datatype"], size["required"], size["order"],
                    size["variable"]) == ("taille", "singlevaluelist", True, 1, True)
            values = [(v["key"], v["name"]) for v in size["values"]]
        assert values[1] == ("moyen", "Comme un pneu")

        # POST requests: a token while the e-mail waits for its confirmation
        body = parse(post(client, fmt, **sample_post(pothole, home, api_key)), fmt)
        if fmt == "xml":
            assert body.tag == "service_requests" and [c.tag for c in body] == ["request"]
            assert [c.tag for c in body[0]] == ["token", "service_notice", "account_id"]
            new_token = body[0].findtext("token")
        else:
            assert list(body[0]) == ["token", "service_notice", "account_id"]
            new_token = body[0]["token"]

        # tokens/{token}
        body = parse(get(client, f"tokens/{new_token}", fmt), fmt)
        if fmt == "xml":
            assert body.tag == "service_requests"
            assert [c.tag for c in body[0]] == ["service_request_id", "token"]
            assert body[0].findtext("service_request_id") == ""  # empty until confirmed
        else:
            assert body == [{"service_request_id": None, "token": new_token}]

        # GET requests and requests/{id}
        for endpoint in ("requests", f"requests/{known.pk}"):
            body = parse(get(client, endpoint, fmt), fmt)
            if fmt == "xml":
                assert body.tag == "service_requests" and {r.tag for r in body} == {"request"}
                [request] = body
                assert [c.tag for c in request] == [*REQUEST_FIELDS, "notes"]
                assert request.findtext("service_request_id") == str(known.pk)
                assert request.findtext("status") == "open"
                assert request.findtext("status_notes") == "Équipe en route"
                assert [n.tag for n in request.find("notes")] == ["note", "note"]
                assert float(request.findtext("lat")) and float(request.findtext("long"))
            else:
                [request] = body
                assert list(request) == [*REQUEST_FIELDS, "notes"]
                assert request["service_request_id"] == str(known.pk)
                assert request["status"] == "open"
                assert request["status_notes"] == "Équipe en route"
                assert [n["type"] for n in request["notes"]] == ["created", "note"]
                assert request["agency_responsible"] == "Travaux publics"
                assert request["address_id"] == str(home.pk)
                assert request["media_url"] == "" and request["expected_datetime"] is None


def test_english_by_locale_or_accept_language_french_by_default(client, pothole):
    assert get(client, "services").json()[0]["service_name"] == "Nid-de-poule"
    assert get(client, "services", locale="en").json()[0]["service_name"] == "Pothole"
    english = client.get(f"{BASE}services/nid-de-poule.xml", HTTP_ACCEPT_LANGUAGE="en-CA,en")
    assert english["Content-Language"] == "en"
    body = parse(english, "xml")
    assert body.find("attributes/attribute/description").text == "How big is it?"
    assert body.find("attributes/attribute/values/value/name").text == "Smaller than a plate"
    assert get(client, "services", locale="fr_CA").json()[0]["group"] == "Voirie"


# Errors, in both formats ----------------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_a_missing_unknown_or_revoked_key_is_a_403(client, fmt, pothole, home, api_key):
    data = sample_post(pothole, home, api_key)
    data.pop("api_key")
    response = post(client, fmt, **data)
    assert response.status_code == 403
    assert errors(response, fmt) == [(403, fr("api_key is required to submit a request."))]
    invalid = [(403, fr("This api_key is not valid (unknown or revoked)."))]
    response = post(client, fmt, **data, api_key="xyz")
    assert response.status_code == 403 and errors(response, fmt) == invalid
    ApiClient.objects.update(active=False)
    response = post(client, fmt, **data, api_key=api_key)
    assert response.status_code == 403 and errors(response, fmt) == invalid
    assert not ServiceRequest.objects.exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_service_request_token_or_address_is_a_404(client, fmt, pothole):
    response = get(client, "services/volcan", fmt)
    assert response.status_code == 404
    assert errors(response, fmt) == [(404, fr('No service has the code "%(code)s".',
                                              code="volcan"))]
    for endpoint in ("requests/999999", "requests/abc",
                     "tokens/00000000-0000-0000-0000-000000000000", "tokens/xyz"):
        response = get(client, endpoint, fmt)
        assert response.status_code == 404, endpoint
        [(code, _description)] = errors(response, fmt)
        assert code == 404
    response = client.get(f"{BASE}nothing/here.{fmt}")
    assert response.status_code == 404 and errors(response, fmt)[0][0] == 404


@pytest.mark.parametrize("fmt", FORMATS)
def test_bad_submissions_are_a_400_with_a_clear_message_and_save_nothing(
        client, fmt, pothole, home, api_key):
    data = sample_post(pothole, home, api_key)
    no_place = {k: v for k, v in data.items() if k not in ("lat", "long")}

    def refused(**changes):
        response = post(client, fmt, **changes)
        assert response.status_code == 400, response.content
        return [d for _code, d in errors(response, fmt)]

    assert refused(**no_place) == [fr("Give the place: lat and long, or address_string, or "
                                      "address_id.")]
    assert refused(**{**data, "lat": "45.0", "long": "-75.0"}) == [fr(
        "This place is outside the municipality: the city can only act on its own territory.")]
    assert refused(**{**data, "lat": "nord"}) == [fr("lat and long must both be numbers "
                                                     "(WGS 84 degrees).")]
    assert refused(**{**data, "attribute[taille]": ""}) == [
        "attribute[taille]: " + fr("This answer is required.")]
    assert refused(**{**data, "attribute[taille]": "enorme"}) == [
        "attribute[taille]: " + fr("Choose among the answers offered.")]
    assert refused(**{**data, "service_code": "volcan"}) == [fr(
        'service_code "%(code)s" is not one of the services offered (see services.json).',
        code="volcan")]
    assert refused(**{**data, "email": ""}) == ["email: " + fr(
        "Give your e-mail address: we write to you when the request moves.")]
    assert refused(**{**data, "email": "pas-un-courriel"}) == ["email: " + fr(
        "Enter a valid e-mail address.")]
    assert refused(**{**no_place, "address_string": "99999 rue Inexistante"}) == [fr(
        'No address matches "%(address)s". Check the civic number and the street, or choose '
        'the place on the map.', address="99999 rue Inexistante")]
    assert not ServiceRequest.objects.exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_bad_query_parameters_are_a_400(client, fmt):
    cases = [
        ({"start_date": "hier"}, fr("%(name)s is not a W3C datetime (for example "
                                    "2026-05-04T09:30:00-04:00).", name="start_date")),
        ({"end_date": "2026-13-45"}, fr("%(name)s is not a W3C datetime (for example "
                                        "2026-05-04T09:30:00-04:00).", name="end_date")),
        ({"start_date": "2026-01-01", "end_date": "2026-06-01"},
         fr("start_date and end_date may not span more than 90 days.")),
        ({"start_date": "2026-06-01", "end_date": "2026-05-01"},
         fr("start_date is after end_date.")),
        ({"status": "pending"}, fr("status must be open, closed, or both separated by a comma.")),
        ({"page_size": "5000"}, fr("%(name)s must be a whole number from 1 to %(max)d.",
                                   name="page_size", max=1000)),
        ({"service_request_id": "12,abc"}, fr("service_request_id must be request numbers "
                                              "separated by commas.")),
    ]
    for params, message in cases:
        response = get(client, "requests", fmt, **params)
        assert response.status_code == 400, params
        assert errors(response, fmt) == [(400, message)], params


def test_other_methods_are_refused_in_the_spec_format(client):
    response = client.delete(f"{BASE}requests.json")
    assert response.status_code == 405 and "POST" in response["Allow"]
    assert errors(response, "json")[0][0] == 405


# Photos ---------------------------------------------------------------------------------------

def _jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (45.0, 22.0, 30.0), 3: "W", 4: (73.0, 59.0, 0.0)}
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_a_media_file_is_stored_without_exif_and_a_pdf_is_refused(client, settings, tmp_path,
                                                                 pothole, home, api_key):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = str(tmp_path)
    raw = _jpeg_with_gps()
    assert Image.open(io.BytesIO(raw)).getexif().get_ifd(0x8825)  # the GPS block is there
    pdf = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    response = post(client, **sample_post(pothole, home, api_key), media=pdf)
    assert response.status_code == 400
    assert errors(response, "json") == [(400, "media: " + fr(
        "This file is not a photo we can read. Send a JPEG, PNG or WEBP image."))]
    assert not ServiceRequest.objects.exists()

    photo = SimpleUploadedFile("IMG_0001.jpg", raw, content_type="image/jpeg")
    response = post(client, **sample_post(pothole, home, api_key), media=photo,
                    media_url="https://app.example.org/p/1.jpg")
    assert response.status_code == 200, response.content
    created = ServiceRequest.objects.get()
    [stored] = created.photos.all()
    assert "IMG_0001" not in stored.image.name
    with stored.image.open("rb") as handle:
        data = handle.read()
    assert not Image.open(io.BytesIO(data)).getexif()
    assert b"Exif" not in data
    # media_url is kept for staff only, as an internal note (never fetched).
    [link_note] = created.events.filter(kind="note")
    assert not link_note.public and "https://app.example.org/p/1.jpg" in link_note.note


def test_a_too_large_upload_is_a_400(client, settings, tmp_path, pothole, home, api_key):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = str(tmp_path)
    settings.GUICHET_UPLOAD_MAX_BYTES = 10_000
    big = SimpleUploadedFile("big.jpg", b"\xff" * 50_000, content_type="image/jpeg")
    response = post(client, **sample_post(pothole, home, api_key), media=big)
    assert response.status_code == 400
    assert not ServiceRequest.objects.exists()


# What the public reads ------------------------------------------------------------------------

def test_reading_never_shows_the_reporter_nor_internal_notes_nor_unreviewed_photos(
        client, settings, tmp_path, pothole, home, make_citizen):  # noqa: F811
    from service_requests.photos import process_photo

    settings.MEDIA_ROOT = str(tmp_path)
    clerk = make_citizen("clerk@example.org")
    alice = make_citizen("alice.secret@example.org")
    alice.first_name, alice.last_name = "Alicia", "Tremblay-Secret"
    alice.save()
    photos = [process_photo(io.BytesIO(_jpeg_with_gps())) for _ in range(2)]
    report = services.submit_request(
        category=pothole, point=home.address_point, description="Trou profond",
        answers={"taille": "grand"}, user=alice, contact_name="Alicia Tremblay-Secret",
        contact_phone="514-555-0199", photos=photos, clerk=clerk, channel="phone",
        public=True)  # the caller agreed
    services.add_note(request=report, by=clerk, note="Note interne confidentielle")
    services.assign(request=report, to=clerk, by=clerk)
    first, second = report.photos.order_by("pk")
    Photo.objects.filter(pk=second.pk).update(approved=True)

    for fmt in FORMATS:
        for endpoint in ("requests", f"requests/{report.pk}"):
            response = get(client, endpoint, fmt)
            text = response.content.decode()
            for secret in ("alice.secret", "Alicia", "Tremblay-Secret", "514-555-0199",
                           "Note interne confidentielle", "clerk@example.org",
                           str(report.confirm_token), str(report.public_id),
                           first.image.name, first.thumbnail.name):
                assert secret not in text, (endpoint, fmt, secret)
            assert f"http://testserver{second.image_url}" in text
    [read] = get(client, f"requests/{report.pk}").json()
    assert read["media_url"] == f"http://testserver{second.image_url}"
    assert client.get(second.image_url).status_code == 200  # approved: anyone may see it
    assert client.get(first.image_url).status_code == 404  # not reviewed: nobody outside
    # The internal events (note, assignment) are not in the history, nor in updated_datetime.
    assert [n["type"] for n in read["notes"]] == ["created"]
    assert read["notes"][0]["description"] == fr("Logged by a clerk (%(channel)s).",
                                                 channel=fr("phone"))
    created_at = report.events.get(kind="created").at
    assert read["updated_datetime"] == timezone.localtime(created_at).isoformat(timespec="seconds")


def test_an_anonymous_request_shows_its_id_on_its_token_once_the_email_is_confirmed(
        client, smtp_sink, pothole, home, api_key, django_capture_on_commit_callbacks):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, **sample_post(pothole, home, api_key))
    [answer] = response.json()
    token = answer["token"]
    created = ServiceRequest.objects.get()
    assert get(client, f"requests/{created.pk}").status_code == 404  # not public yet
    assert get(client, "requests").json() == []
    assert get(client, f"tokens/{token}").json() == [{"service_request_id": None,
                                                      "token": token}]
    # The reporter follows the link of the e-mail sent to them (a real SMTP conversation).
    [link] = smtp_sink.links("jean.smith@example.org", "/signaler/confirmer/")
    confirm_token = re.search(r"/signaler/confirmer/([0-9a-f-]{36})/", link).group(1)
    assert confirm_token != token and confirm_token == str(created.confirm_token)
    services.confirm_email(token=confirm_token)
    assert get(client, f"tokens/{token}").json() == [{"service_request_id": str(created.pk),
                                                      "token": token}]
    body = parse(get(client, f"tokens/{token}", "xml"), "xml")
    assert body.findtext("request/service_request_id") == str(created.pk)
    [read] = get(client, f"requests/{created.pk}").json()
    assert read["status"] == "open" and read["description"] == "Trou profond dans la rue"
    assert "jean.smith" not in json.dumps(read) and "Smith" not in json.dumps(read)


def test_a_web_request_has_no_token(client, pothole, home, make_citizen):  # noqa: F811
    report = confirmed_request(pothole, home.address_point, user=make_citizen("a@example.org"))
    assert get(client, f"tokens/{report.public_id}").status_code == 404


def test_statuses_set_by_clerks_map_to_open_and_closed(client, pothole, home, make_citizen):  # noqa: F811
    clerk, citizen = make_citizen("clerk@example.org"), make_citizen("a@example.org")
    fixed = confirmed_request(pothole, home.address_point, user=citizen, clerk=clerk,
                              channel="counter", public=True)  # the callers agreed
    elsewhere = confirmed_request(pothole, home.address_point, user=citizen, clerk=clerk,
                                  channel="phone", public=True)
    planned = confirmed_request(pothole, home.address_point, user=citizen)
    services.change_status(request=fixed, status="in_progress", by=clerk)
    services.change_status(request=fixed, status="resolved", by=clerk, note="Trou rebouché")
    services.add_note(request=fixed, by=clerk, note="Asphalte froid, à revoir")  # internal
    services.change_status(request=elsewhere, status="not_city", by=clerk,
                           responsible_body="Ministère des Transports du Québec",
                           note="Route provinciale")
    services.change_status(request=planned, status="planned", by=clerk)
    june = dt.date(timezone.localdate().year + 1, 6, 15)  # after the request, within 2 years
    services.set_expected(request=planned, on=june, by=clerk)
    by_id = {int(r["service_request_id"]): r for r in get(client, "requests").json()}

    assert by_id[fixed.pk]["status"] == "closed"
    assert by_id[fixed.pk]["status_notes"] == "Trou rebouché"
    resolved_at = fixed.events.get(to_status="resolved").at  # the internal note after: unseen
    assert by_id[fixed.pk]["updated_datetime"] == timezone.localtime(
        resolved_at).isoformat(timespec="seconds")
    assert [(n["type"], n["status"]) for n in by_id[fixed.pk]["notes"]] == [
        ("created", "open"), ("status", "open"), ("status", "closed")]
    assert by_id[fixed.pk]["notes"][-1]["status_label"] == fr("resolved (fixed)").capitalize()
    assert by_id[elsewhere.pk]["status"] == "closed"
    assert by_id[elsewhere.pk]["agency_responsible"] == "Ministère des Transports du Québec"
    assert by_id[planned.pk]["status"] == "open"
    assert by_id[planned.pk]["agency_responsible"] == "Travaux publics"
    assert by_id[planned.pk]["expected_datetime"] == f"{june}T00:00:00-04:00"  # EDT
    closed = [int(r["service_request_id"]) for r in get(client, "requests", status="closed")
              .json()]
    assert sorted(closed) == sorted([fixed.pk, elsewhere.pk])
    body = parse(get(client, "requests", "xml", status="closed"), "xml")
    assert {r.findtext("status") for r in body} == {"closed"}


def test_lat_long_round_trip_checked_with_pyproj(client, pothole, home, api_key):
    lon, lat = lonlat(home)
    lon, lat = lon + 0.0003, lat - 0.0002  # not on the address point: no rounding hides
    response = post(client, **sample_post(pothole, home, api_key, lat=repr(lat),
                                           long=repr(lon)))
    assert response.status_code == 200
    created = ServiceRequest.objects.get()
    # Stored where pyproj puts it (NAD83 / MTM 8, metres).
    x, y = FROM_WGS84.transform(lon, lat)
    assert abs(created.location.x - x) < 1e-3 and abs(created.location.y - y) < 1e-3
    services.confirm_email(token=created.confirm_token)
    for fmt in FORMATS:
        response = get(client, f"requests/{created.pk}", fmt)
        if fmt == "json":
            [read] = response.json()
            read_lat, read_lon = read["lat"], read["long"]
        else:
            request = parse(response, fmt)[0]
            read_lat, read_lon = float(request.findtext("lat")), float(request.findtext("long"))
        assert abs(read_lat - lat) < 1e-6 and abs(read_lon - lon) < 1e-6
        back_lon, back_lat = TO_WGS84.transform(created.location.x, created.location.y)
        assert abs(read_lat - back_lat) < 1e-6 and abs(read_lon - back_lon) < 1e-6


def test_pages_of_requests(client, pothole, home, make_citizen,  # noqa: F811
                           django_assert_max_num_queries):
    citizen = make_citizen("a@example.org")
    made = [confirmed_request(pothole, home.address_point, user=citizen) for _ in range(3)]
    newest_first = [r.pk for r in reversed(made)]
    with django_assert_max_num_queries(3):  # requests, their public events, their photos
        first = get(client, "requests", page_size=2)
    assert [int(r["service_request_id"]) for r in first.json()] == newest_first[:2]
    assert first["Link"] == ('<http://testserver/open311/v2/requests.json?page_size=2&page=2>; '
                             'rel="next"')
    second = get(client, "requests", page_size=2, page=2)
    assert [int(r["service_request_id"]) for r in second.json()] == newest_first[2:]
    assert "Link" not in second


def test_control_characters_neither_break_the_database_nor_the_xml(client, pothole, home,
                                                                   api_key):
    # NUL cannot be stored by PostgreSQL: it is dropped from what is sent (else a 500).
    response = post(client, **sample_post(pothole, home, api_key,
                                          description="Trou\x0b profond\x00 ici",
                                          first_name="Je\x00an"))
    assert response.status_code == 200, response.content
    created = ServiceRequest.objects.get()
    assert created.description == "Trou\x0b profond ici" and created.contact_name == "Jean Smith"
    services.confirm_email(token=created.confirm_token)
    # XML 1.0 cannot carry \x0b: dropped there, kept in JSON.
    body = parse(get(client, f"requests/{created.pk}", "xml"), "xml")
    assert body.findtext("request/description") == "Trou profond ici"
    assert get(client, f"requests/{created.pk}").json()[0]["description"] == "Trou\x0b profond ici"
    for endpoint, params in (("services/nid\x00", {}), ("requests", {"service_code": "a\x00"}),
                             ("requests", {"status": "open\x00"})):
        assert get(client, endpoint, **params).status_code in (200, 400, 404)


def test_create_open311_key_prints_the_key_once_and_stores_its_hash(client, capsys, pothole,
                                                                    home):
    call_command("create_open311_key", "Appli 311 de la MRC")
    key = capsys.readouterr().out.strip()
    assert len(key) >= 43  # 32 random bytes, URL-safe base64
    client_row = ApiClient.objects.get(name="Appli 311 de la MRC")
    assert client_row.key_hash == hash_key(key) and key not in client_row.key_hash
    assert len(client_row.key_hash) == 64
    assert post(client, **sample_post(pothole, home, key)).status_code == 200
    assert ServiceRequest.objects.get().api_client == client_row
