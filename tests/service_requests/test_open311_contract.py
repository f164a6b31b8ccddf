"""The Open311 GeoReport v2 contract (issue 11, "Trust"): every endpoint of the spec (discovery,
services, a service definition, POST requests, GET requests, GET a request, a request id from
its token) walked in JSON and in XML, first with good inputs, checking the shape the spec
requires (root elements, item elements, required fields), then with the bad inputs a client or
a script may send: each one is a clean 4xx in the caller's format, the spec's error list
(JSON [{"code": 400, "description": "..."}], XML <errors><error><code/><description/></error>
</errors>), answered in less than a second. Wrong api_keys are throttled like failed sign-ins
(one throttle for every way in); private and non-public requests never appear.

XML is parsed by the standard library (xml.etree, expat), not by the lxml that writes it: a
second parser checks that it is well-formed."""
import json
import time
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest
from django.core.cache import cache

from service_requests import services
from service_requests.models import Category, ServiceRequest
from tests.citizens.conftest import make_citizen, smtp_sink  # noqa: F401 (fixtures)

from .test_open311 import ATTRIBUTE_FIELDS, REQUEST_FIELDS, SERVICE_FIELDS, lonlat, sample_post

pytestmark = pytest.mark.django_db
BASE = "/open311/v2/"
FORMATS = ("json", "xml")
FAST_S = 1.0  # every answer, good or bad, within this
BIGINT_OVERFLOW = "43361375802037272576"  # > 2**63: no bigint holds it
# The element of each item of a list, by the list's element (the spec's XML).
ITEMS = {"services": "service", "service_requests": "request", "errors": "error",
         "attributes": "attribute", "values": "value", "endpoints": "endpoint",
         "formats": "format", "notes": "note", "extensions": "extension"}
DATATYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}
CALLS = []  # (method, url, status, seconds) of every call, summed up at the module's end


@pytest.fixture(scope="module", autouse=True)
def _summary():
    """With -s: how many calls were made, how many were refused, the slowest."""
    yield
    if CALLS:
        refused = sum(1 for _m, _u, status, _s in CALLS if status >= 400)
        slowest = max(CALLS, key=lambda c: c[3])
        print(f"\nOpen311 contract: {len(CALLS)} calls, {refused} refused (4xx), slowest "
              f"{slowest[3] * 1000:.0f} ms ({slowest[0]} {slowest[1][:80]})")


# Calls and their answers -----------------------------------------------------------------------

def call(client, method, endpoint, fmt, *, params=None, data=None, body=None,
         content_type="application/x-www-form-urlencoded", **headers):
    """One call, timed. `params` go in the query string; `data` is form-encoded (a POST) unless
    `body` gives the raw body."""
    url = f"{BASE}{endpoint}.{fmt}"
    if params:
        url += "?" + urlencode(params, doseq=True)
    if data is not None:
        body = urlencode(data, doseq=True)
    start = time.perf_counter()
    if method == "GET":
        response = client.get(url, **headers)
    else:
        response = client.generic(method, url, body or "", content_type=content_type, **headers)
    elapsed = time.perf_counter() - start
    CALLS.append((method, url, response.status_code, elapsed))
    assert elapsed < FAST_S, f"{method} {url}: {elapsed:.2f} s"
    return response


def as_data(response, fmt):
    """The answer as Python data, checking the format: JSON by json; XML well-formed for the
    standard library's parser, a list element holding only its items (<services><service>...),
    leaves as text."""
    if fmt == "json":
        assert response["Content-Type"] == "application/json; charset=utf-8"
        return response.json()
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(response.content)  # raises ParseError if not well-formed
    return root.tag, _element(root)


def _element(element):
    if element.tag in ITEMS:
        assert {c.tag for c in element} <= {ITEMS[element.tag]}, element.tag
        return [_element(c) for c in element]
    if len(element):
        names = [c.tag for c in element]
        assert len(names) == len(set(names)), names
        return {c.tag: _element(c) for c in element}
    return element.text or ""


def content(response, fmt, root):
    """The answer's data, its XML root element checked."""
    data = as_data(response, fmt)
    if fmt == "json":
        return data
    tag, data = data
    assert tag == root
    return data


def spec_errors(response, fmt, status):
    """The spec's error list with `status` as each error's code, checked in either format."""
    assert response.status_code == status, response.content[:500]
    data = content(response, fmt, "errors")
    assert isinstance(data, list) and data
    for error in data:
        assert list(error) == ["code", "description"]
        assert int(error["code"]) == status and error["description"].strip()
    return [e["description"] for e in data]


def boolean(value, fmt):
    assert value in ((True, False) if fmt == "json" else ("true", "false")), value
    return value in (True, "true")


# Good inputs: every endpoint, both formats ---------------------------------------------------

@pytest.fixture
def known(pothole, home, make_citizen):  # noqa: F811
    """A confirmed public request with a public note."""
    clerk = make_citizen("clerk@example.org")
    found = services.submit_request(category=pothole, point=home.address_point,
                                    description="Trou profond", answers={"taille": "grand"},
                                    user=make_citizen("a@example.org"))
    services.add_note(request=found, by=clerk, note="Équipe en route", public=True)
    return found


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_endpoint_answers_the_spec_shape(client, fmt, pothole, home, api_key, known):
    # discovery
    discovery = content(call(client, "GET", "discovery", fmt), fmt, "discovery")
    assert {"changeset", "contact", "key_service", "endpoints"} <= set(discovery)
    [endpoint] = discovery["endpoints"]
    assert list(endpoint) == ["specification", "url", "changeset", "type", "formats"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["type"] in ("production", "test")
    assert sorted(endpoint["formats"]) == ["application/json", "text/xml"]

    # services, and the definition of each
    offered = content(call(client, "GET", "services", fmt), fmt, "services")
    assert len(offered) == Category.objects.filter(active=True).count() >= 8
    for service in offered:
        assert list(service) == SERVICE_FIELDS
        assert service["service_code"] and service["service_name"]
        assert service["type"] in ("realtime", "batch", "blackbox")
        if not boolean(service["metadata"], fmt):
            continue
        definition = content(call(client, "GET", f"services/{service['service_code']}", fmt),
                             fmt, "service_definition")
        assert list(definition) == ["service_code", "attributes"]
        assert definition["service_code"] == service["service_code"]
        assert definition["attributes"]
        for order, attribute in enumerate(definition["attributes"], start=1):
            assert list(attribute) == ATTRIBUTE_FIELDS
            assert boolean(attribute["variable"], fmt)
            boolean(attribute["required"], fmt)
            assert attribute["datatype"] in DATATYPES and attribute["code"]
            assert int(attribute["order"]) == order
            if attribute["datatype"].endswith("valuelist"):
                assert attribute["values"]
                assert all(list(v) == ["key", "name"] and v["key"] for v in attribute["values"])

    # POST requests: a token while the reporter's e-mail waits for its confirmation
    created = content(call(client, "POST", "requests", fmt,
                           data=sample_post(pothole, home, api_key)), fmt, "service_requests")
    [answer] = created
    assert list(answer) == ["token", "service_notice", "account_id"]
    assert answer["token"] and answer["service_notice"]
    assert ServiceRequest.objects.filter(public_id=answer["token"], channel="api").exists()

    # the request id from its token (empty until the e-mail is confirmed)
    [by_token] = content(call(client, "GET", f"tokens/{answer['token']}", fmt), fmt,
                         "service_requests")
    assert list(by_token) == ["service_request_id", "token"]
    assert by_token["token"] == answer["token"] and by_token["service_request_id"] in (None, "")

    # GET requests, by window and by id, and GET a request
    for endpoint, params in (("requests", None),
                             ("requests", {"service_request_id": str(known.pk)}),
                             ("requests", {"service_code": pothole.code, "status": "open"}),
                             (f"requests/{known.pk}", None)):
        [found] = content(call(client, "GET", endpoint, fmt, params=params), fmt,
                          "service_requests")
        assert list(found) == [*REQUEST_FIELDS, "notes"]
        assert found["service_request_id"] == str(known.pk)
        assert found["status"] == "open" and found["service_code"] == pothole.code
        assert found["requested_datetime"] and found["updated_datetime"]
        lon, lat = lonlat(home)
        assert abs(float(found["lat"]) - lat) < 1e-6 and abs(float(found["long"]) - lon) < 1e-6
        assert [list(n) for n in found["notes"]] == [
            ["datetime", "type", "status", "status_label", "description"]] * 2


def test_json_and_xml_carry_the_same_fields(client, known):
    for endpoint, root in (("discovery", "discovery"), ("services", "services"),
                           ("services/nid-de-poule", "service_definition"),
                           ("requests", "service_requests"),
                           (f"requests/{known.pk}", "service_requests")):
        as_json = content(call(client, "GET", endpoint, "json"), "json", root)
        as_xml = content(call(client, "GET", endpoint, "xml"), "xml", root)
        assert _shape(as_json) == _shape(as_xml), endpoint


def _shape(data):
    if isinstance(data, dict):
        return {k: _shape(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_shape(v) for v in data]
    return None


# Bad inputs: a clean 4xx in the caller's format, fast -----------------------------------------

@pytest.fixture
def fallen_tree():
    return Category.objects.get(code="arbre-tombe")


def bad_gets(known):
    """(label, endpoint, query parameters, status)."""
    return [
        ("unknown service_code", "services/volcan", None, 404),
        ("a NUL byte in the path (core.http.RefuseNulBytes)", "services/vol\x00can", None, 400),
        ("unknown request id", "requests/999999999", None, 404),
        ("id overflowing bigint", f"requests/{BIGINT_OVERFLOW}", None, 404),
        ("negative id", "requests/-1", None, 404),
        ("id not a number", "requests/abc", None, 404),
        ("service_request_id overflowing bigint", "requests",
         {"service_request_id": BIGINT_OVERFLOW}, 400),
        ("unknown token", "tokens/00000000-0000-0000-0000-000000000000", None, 404),
        ("token not a uuid", "tokens/xyz", None, 404),
        ("token of a web request", f"tokens/{known.public_id}", None, 404),
        ("huge page", "requests", {"page": "999999999999999999"}, 400),
        ("negative page", "requests", {"page": "-1"}, 400),
        ("page not a number", "requests", {"page": "abc"}, 400),
        ("page zero", "requests", {"page": "0"}, 400),
        ("page_size zero", "requests", {"page_size": "0"}, 400),
        ("page_size huge", "requests", {"page_size": BIGINT_OVERFLOW}, 400),
        ("start_date at the end of time", "requests", {"start_date": "9999-12-31T23:59:59"}, 400),
        ("end_date at the start of time", "requests", {"end_date": "0001-01-01T00:00:00"}, 400),
        ("both extreme dates", "requests", {"start_date": "0001-01-01T00:00:00",
                                            "end_date": "9999-12-31T23:59:59"}, 400),
        ("malformed date", "requests", {"start_date": "2026-02-30T25:61:00"}, 400),
        ("date not a date", "requests", {"end_date": "hier"}, 400),
        ("start after end", "requests", {"start_date": "2026-06-01T00:00:00-04:00",
                                         "end_date": "2026-05-01T00:00:00-04:00"}, 400),
        ("unknown status", "requests", {"status": "pending"}, 400),
        ("unknown jurisdiction_id, services", "services", {"jurisdiction_id": "atlantis.gov"},
         404),
        ("unknown jurisdiction_id, a service", "services/nid-de-poule",
         {"jurisdiction_id": "atlantis.gov"}, 404),
        ("unknown jurisdiction_id, requests", "requests", {"jurisdiction_id": "atlantis.gov"},
         404),
        ("unknown jurisdiction_id, a request", f"requests/{known.pk}",
         {"jurisdiction_id": "atlantis.gov"}, 404),
        ("unknown jurisdiction_id, a token", f"tokens/{known.public_id}",
         {"jurisdiction_id": "atlantis.gov"}, 404),
        ("nothing here", "nothing/here", None, 404),
    ]


def bad_posts(good, fallen_tree):
    """(label, form data, status): each a change to the good POST `good`."""
    without = lambda *keys: {k: v for k, v in good.items() if k not in keys}  # noqa: E731
    tree = {**without("attribute[taille]"), "service_code": fallen_tree.code,
            "attribute[bloque]": "non"}
    return [
        ("no api_key", without("api_key"), 403),
        ("unknown api_key", {**good, "api_key": "xyz"}, 403),
        ("no service_code", without("service_code"), 400),
        ("unknown service_code", {**good, "service_code": "volcan"}, 400),
        ("no place", without("lat", "long"), 400),
        ("lat without long", without("long"), 400),
        ("required attribute missing", without("attribute[taille]"), 400),
        ("answer not offered", {**good, "attribute[taille]": "enorme"}, 400),
        ("no e-mail", without("email"), 400),
        ("lat out of range", {**good, "lat": "91", "long": "-73.99"}, 400),
        ("long out of range", {**good, "lat": "45.37", "long": "-200"}, 400),
        ("lat not a number", {**good, "lat": "nord"}, 400),
        ("lat NaN", {**good, "lat": "NaN"}, 400),
        ("lat infinite", {**good, "lat": "1e999999"}, 400),
        ("far outside the territory (0, 0)", {**good, "lat": "0", "long": "0"}, 400),
        ("far outside the territory (Sydney)", {**good, "lat": "-33.86", "long": "151.21"}, 400),
        ("near but outside the territory", {**good, "lat": "45.5017", "long": "-73.5673"}, 400),
        ("huge number answer", {**tree, "attribute[diametre-cm]": "1e999999"}, 400),
        ("very long number answer", {**tree, "attribute[diametre-cm]": "9" * 5000}, 400),
        ("address_id overflowing bigint", {**without("lat", "long"),
                                           "address_id": BIGINT_OVERFLOW}, 400),
        ("unknown jurisdiction_id", {**good, "jurisdiction_id": "atlantis.gov"}, 404),
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_bad_reads_are_a_clean_4xx_in_the_callers_format(client, fmt, known):
    for label, endpoint, params, status in bad_gets(known):
        response = call(client, "GET", endpoint, fmt, params=params)
        assert response.status_code == status, (label, response.content[:300])
        spec_errors(response, fmt, status)


@pytest.mark.parametrize("fmt", FORMATS)
def test_bad_submissions_are_a_clean_4xx_in_the_callers_format_and_save_nothing(
        client, fmt, pothole, home, api_key, fallen_tree):
    good = sample_post(pothole, home, api_key)
    before = ServiceRequest.objects.count()
    for label, data, status in bad_posts(good, fallen_tree):
        cache.clear()  # the wrong api_key's count (the throttle has its own test)
        response = call(client, "POST", "requests", fmt, data=data)
        assert response.status_code == status, (label, response.content[:300])
        spec_errors(response, fmt, status)
    # A multipart body without its boundary, and a body that is not a form at all.
    response = call(client, "POST", "requests", fmt, body=b"--x\r\n\r\n",
                    content_type="multipart/form-data")
    spec_errors(response, fmt, 400)
    response = call(client, "POST", "requests", fmt, body=b"--x\r\n\r\n",
                    content_type="multipart/form-data; boundary=")
    spec_errors(response, fmt, 400)
    response = call(client, "POST", "requests", fmt, body=json.dumps(good),
                    content_type="application/json")
    assert response.status_code in (400, 403)
    spec_errors(response, fmt, response.status_code)
    # Another method.
    response = call(client, "DELETE", "requests", fmt)
    spec_errors(response, fmt, 405)
    assert "POST" in response["Allow"]
    assert ServiceRequest.objects.count() == before


def test_an_unsupported_format_is_a_404_in_json(client):
    for endpoint in ("discovery", "services", "requests", "services/nid-de-poule",
                     "requests/1"):
        start = time.perf_counter()
        response = client.get(f"{BASE}{endpoint}.yaml")
        assert time.perf_counter() - start < FAST_S
        descriptions = spec_errors(response, "json", 404)
        assert ".json" in descriptions[0] and ".xml" in descriptions[0]


def test_a_known_or_empty_jurisdiction_id_is_accepted(client, settings, pothole, home, api_key):
    jurisdiction = settings.GUICHET_OPEN311_JURISDICTION
    assert jurisdiction
    for value in ("", jurisdiction, jurisdiction.upper()):
        for fmt in FORMATS:
            response = call(client, "GET", "services", fmt, params={"jurisdiction_id": value})
            assert response.status_code == 200
    response = call(client, "POST", "requests", "json",
                    data={**sample_post(pothole, home, api_key), "jurisdiction_id": jurisdiction})
    assert response.status_code == 200, response.content


# The api_key throttle: the sign-in's ---------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_repeated_wrong_api_keys_are_throttled_like_failed_sign_ins(
        client, fmt, pothole, home, api_key):
    """allauth's login_failed counters (5 per 5 minutes per address), in the shared cache,
    keyed on core.http.client_ip: after 5 wrong keys, a 429 with Retry-After, even for the
    right key (else guessing would go on at full speed)."""
    good = sample_post(pothole, home, api_key)
    for n in range(5):
        response = call(client, "POST", "requests", fmt, data={**good, "api_key": f"wrong{n}"})
        spec_errors(response, fmt, 403)
    for key in ("wrong5", api_key):
        response = call(client, "POST", "requests", fmt, data={**good, "api_key": key})
        spec_errors(response, fmt, 429)
        assert 0 < int(response["Retry-After"]) <= 300
    assert not ServiceRequest.objects.exists()
    # Another address is not held back; a right key does not use up the count.
    other = {"REMOTE_ADDR": "192.0.2.7"}
    for _n in range(6):
        response = call(client, "POST", "requests", fmt, data=good, **other)
        assert response.status_code == 200, response.content


def test_wrong_api_keys_and_failed_sign_ins_share_one_count(client, pothole, home, api_key,
                                                           make_citizen):  # noqa: F811
    """One throttle for every way in: three failed sign-ins on the web and two wrong keys from
    the same address use up its five attempts; then the web sign-in and the app's token refuse
    this address too, even with the right password."""
    make_citizen("cible@example.org", password="x-Citoyenne-2026!")
    for _n in range(3):
        response = client.post("/compte/login/", {"login": "autre@example.org",
                                                  "password": "faux"})
        assert "trop de tentatives" not in response.content.decode().lower()
    good = sample_post(pothole, home, api_key)
    for n in range(2):
        spec_errors(call(client, "POST", "requests", "json",
                         data={**good, "api_key": f"wrong{n}"}), "json", 403)
    spec_errors(call(client, "POST", "requests", "json", data=good), "json", 429)
    response = client.post("/compte/login/", {"login": "cible@example.org",
                                              "password": "x-Citoyenne-2026!"})
    assert "trop de tentatives" in response.content.decode().lower()
    assert "_auth_user_id" not in client.session
    response = client.post("/api/auth/token/", {"email": "cible@example.org",
                                                "password": "x-Citoyenne-2026!"})
    assert response.status_code == 429


def test_a_failed_key_lookup_is_no_wrong_key(rf):
    """The database gone while a key is looked up (an OperationalError) is not a guess: six
    such failures leave the address its five attempts."""
    from django.db import OperationalError

    from citizens.adapter import check_secret

    request = rf.post("/open311/v2/requests.json", REMOTE_ADDR="192.0.2.9")

    def gone(secret):
        raise OperationalError("the database went away")

    for _n in range(6):
        with pytest.raises(OperationalError):
            check_secret(request, secret="a-key", lookup=gone)
    for _n in range(5):
        assert check_secret(request, secret="a-key", lookup=lambda secret: None) is None


def test_a_lock_left_by_a_failed_request_does_not_lock_the_address_out(
        client, pothole, home, api_key):
    """allauth locks its counters while it updates them; a request that fails in between (the
    database, holding the cache, gone) leaves the lock for 10 s, and allauth then refuses every
    attempt from the address as if it were used up. Found by tests/test_db_restart.py: a 429
    for a right key just after the database came back."""
    from allauth.core.internal import ratelimit

    from citizens.adapter import _counters, _secret_key

    request = type("R", (), {"META": {"REMOTE_ADDR": "127.0.0.1"}, "method": "POST"})()
    for _rate, cache_key, _history in _counters(request, _secret_key(api_key)):
        assert cache.add(f"{cache_key}:lock", True, timeout=ratelimit.CACHE_LOCK_TIMEOUT)
    start = time.perf_counter()
    response = client.post(f"{BASE}requests.json", sample_post(pothole, home, api_key))
    assert response.status_code == 200, response.content
    assert time.perf_counter() - start < 3  # allauth's one-second wait for its lock, once
    # A used-up address stays locked out, lock or not.
    for n in range(5):
        call(client, "POST", "requests", "json",
             data={**sample_post(pothole, home, api_key), "api_key": f"wrong{n}"})
    for _rate, cache_key, _history in _counters(request, _secret_key(api_key)):
        cache.add(f"{cache_key}:lock", True, timeout=ratelimit.CACHE_LOCK_TIMEOUT)
    response = client.post(f"{BASE}requests.json", sample_post(pothole, home, api_key))
    assert response.status_code == 429


# Privacy: what is never read -----------------------------------------------------------------

def test_private_unconfirmed_and_non_public_requests_never_appear(
        client, pothole, home, api_key, known, make_citizen):  # noqa: F811
    noise = Category.objects.get(code="bruit")
    assert noise.privacy == Category.Privacy.PRIVATE
    citizen = make_citizen("b@example.org")
    private = services.submit_request(category=noise, point=home.address_point,
                                      description="Musique la nuit",
                                      answers={"source": "voisin"}, user=citizen)
    hidden = services.submit_request(category=pothole, point=home.address_point,
                                     description="Trou", answers={"taille": "petit"},
                                     user=citizen)
    ServiceRequest.objects.filter(pk=hidden.pk).update(public=False)
    unconfirmed = content(call(client, "POST", "requests", "json",
                               data=sample_post(pothole, home, api_key)), "json", None)
    waiting = ServiceRequest.objects.get(public_id=unconfirmed[0]["token"])
    never = {private.pk, hidden.pk, waiting.pk}
    ids = ",".join(str(pk) for pk in never | {known.pk})
    for fmt in FORMATS:
        for params in (None, {"service_request_id": ids}, {"service_code": "bruit"},
                       {"status": "open,closed"}, {"page_size": "1000"}):
            found = content(call(client, "GET", "requests", fmt, params=params), fmt,
                            "service_requests")
            shown = {int(r["service_request_id"]) for r in found}
            assert not shown & never, params
            assert shown <= {known.pk}
        for pk in never:
            spec_errors(call(client, "GET", f"requests/{pk}", fmt), fmt, 404)
