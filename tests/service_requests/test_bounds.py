"""Bounded work per request (issue 11): an answer, a date, a place or a query parameter that
would make the server work without end, or fail, is refused with a clear 400 in the reader's
language, and saves nothing."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from service_requests.models import Category, ServiceRequest
from service_requests.questions import clean_answers
from tests.service_requests.test_open311 import errors, fr, lonlat, post, sample_post
from tests.service_requests.test_reporting import details_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(pothole):
    """The fallen tree: a required choice and an optional number (its diameter in cm)."""
    return Category.objects.get(code="arbre-tombe")


@pytest.fixture
def missed(pothole):
    """The missed collection: a required choice and a required date."""
    return Category.objects.get(code="collecte-manquee")


def _form_errors(response, code):
    assert response.status_code == 400, response.content[:300]
    return response.context["form"].errors[f"q_{code}"]


def test_a_number_answer_with_an_exponent_or_too_many_digits_is_refused(client, make_citizen,
                                                                         tree, home):
    client.force_login(make_citizen("alice@example.org"))
    url = details_url(tree, *lonlat(home))

    def send(diameter):
        return client.post(url, {"description": "Un gros arbre", "q_bloque": "rue",
                                 "q_diametre-cm": diameter})

    for text in ("1e4300", "1e999999"):
        assert _form_errors(send(text), "diametre-cm") == [fr("Enter a number.")], text
    assert not ServiceRequest.objects.exists()
    assert send("1 234,5").status_code == 302
    assert ServiceRequest.objects.get().answers["diametre-cm"] == 1234.5


def test_number_answers_are_plain_decimals_of_bounded_length(tree):
    def answer(text):
        try:
            return clean_answers(tree, {"bloque": "non", "diametre-cm": text})["diametre-cm"]
        except ValidationError as error:
            return error.error_dict["diametre-cm"][0].messages[0]

    too_long = fr("Enter a number with at most %(whole)d digits before the decimal point and "
                  "%(fraction)d after.", whole=12, fraction=6)
    for text in ("1E5", "inf", "NaN", "--3", ".", "1,2,3", "0x10", "١٢"):
        assert answer(text) == fr("Enter a number."), text
    assert answer("1" * 13) == too_long
    assert answer("0.1234567") == too_long
    assert answer("1" * 5000) == fr("Enter a number.")
    assert [answer(t) for t in ("-0035", "+2.50", "12\u202f000", ",5", "999999999999.999999")] == [
        -35, 2.5, 12000, 0.5, 999999999999.999999]


def test_a_date_answer_is_within_a_year_of_today(client, make_citizen, missed, home):
    client.force_login(make_citizen("alice@example.org"))
    url = details_url(missed, *lonlat(home))
    today = timezone.localdate()

    def send(day):
        return client.post(url, {"description": "Bac oublié", "q_collecte": "recyclage",
                                 "q_date-collecte": day})

    message = fr("Enter a date between %(first)s and %(last)s.",
                 first=(today - dt.timedelta(days=366)).isoformat(),
                 last=(today + dt.timedelta(days=366)).isoformat())
    for day in ("2030-01-01", "1900-01-01", "0001-01-01", "9999-12-31"):
        assert _form_errors(send(day), "date-collecte") == [message], day
    assert not ServiceRequest.objects.exists()
    assert send((today - dt.timedelta(days=2)).isoformat()).status_code == 302


def test_open311_refuses_a_number_with_an_exponent_and_a_far_date(client, tree, missed, home,
                                                                  api_key):
    data = {**sample_post(tree, home, api_key), "attribute[bloque]": "non"}
    for text in ("1e4300", "1e999999"):
        response = post(client, **{**data, "attribute[diametre-cm]": text})
        assert response.status_code == 400
        assert errors(response, "json") == [(400, "attribute[diametre-cm]: "
                                             + fr("Enter a number."))]
    data = {**sample_post(missed, home, api_key), "attribute[collecte]": "recyclage",
            "attribute[date-collecte]": "2030-05-04T07:00:00-04:00"}
    response = post(client, **data)
    assert response.status_code == 400
    [(code, description)] = errors(response, "json")
    assert description.startswith("attribute[date-collecte]: ")
    assert not ServiceRequest.objects.exists()


def test_refused_anonymous_reports_count_toward_the_hourly_limit(client, settings, pothole,
                                                                 home):
    settings.GUICHET_ANONYMOUS_REPORTS_PER_HOUR = 3
    url = details_url(pothole, *lonlat(home))
    good = {"description": "Un trou profond", "q_taille": "moyen"}
    for n in range(2):  # a bad answer, twice
        response = client.post(url, {**good, "q_taille": "enorme",
                                     "contact_email": f"v{n}@example.org"})
        assert response.status_code == 400
    assert client.post(url, {**good, "contact_email": "v@example.org"}).status_code == 302
    refused = client.post(url, {**good, "contact_email": "w@example.org"})
    assert refused.status_code == 400
    assert fr("Too many reports were sent from your connection in the last hour. Sign in, or "
              "try again later.").replace("'", "&#x27;") in refused.content.decode()
    assert ServiceRequest.objects.count() == 1


# Server errors that are a 400 (or a 404) with the usual message -----------------------------

def test_open311_queries_far_pages_and_dates_are_a_400(client):
    cases = [
        ({"page": "999999999999999999"}, fr("%(name)s must be a whole number from 1 to %(max)d.",
                                            name="page", max=1_000_000)),
        ({"start_date": "9999-12-31T23:59:59"}, fr(
            "%(name)s must be between %(first)s and %(last)s.", name="start_date",
            first="1900-01-01", last="2999-12-31")),
        ({"end_date": "0001-01-01T00:00:00"}, fr(
            "%(name)s must be between %(first)s and %(last)s.", name="end_date",
            first="1900-01-01", last="2999-12-31")),
    ]
    for params, message in cases:
        response = client.get("/open311/v2/requests.json", params)
        assert response.status_code == 400, params
        assert errors(response, "json") == [(400, message)], params


def test_an_id_beyond_a_bigint_is_a_404(client):
    for url in ("/api/properties/43361375802037272576/schedule/",
                "/api/properties/43361375802037272576/"):
        assert client.get(url).status_code == 404, url


FAR = {"lon": "10", "lat": "0"}  # the Gulf of Guinea: outside the storage CRS's domain
FAR_BOX = "10,0,10.1,0.1"


def test_a_far_away_point_or_box_is_not_a_server_error(client):
    response = client.get("/api/properties/at/", FAR)
    assert response.status_code == 404
    assert response.json()["detail"] == fr(
        "This point is outside the territory of the municipality.")
    for endpoint in ("/api/properties/", "/api/reports/", "/api/places/", "/api/streets/"):
        response = client.get(endpoint, {"in_bbox": FAR_BOX})
        assert response.status_code == 400, endpoint
        assert response.json()["detail"] == fr("in_bbox is outside the area of the town's maps.")


def test_a_far_away_report_is_outside_the_municipality(client, make_citizen, pothole, home,
                                                       api_key):
    outside = fr("This place is outside the municipality: the city can only act on its own "
                 "territory.")
    client.force_login(make_citizen("alice@example.org"))
    url = details_url(pothole, lon=10.0, lat=0.0)
    response = client.post(url, {"description": "Un trou", "q_taille": "moyen"})
    assert response.status_code == 400
    assert outside.replace("'", "&#x27;") in response.content.decode()
    response = post(client, **{**sample_post(pothole, home, api_key), "lat": "0", "long": "10"})
    assert response.status_code == 400
    assert errors(response, "json") == [(400, outside)]
    assert not ServiceRequest.objects.exists()
