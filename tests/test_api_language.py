"""The JSON API answers in the language its client asks for in Accept-Language (French or
English, French otherwise), its errors too; the language cookie does not decide it, and the
site's pages keep their language from their URL (/en/...)."""
import pytest

from core.api_language import accepted_language
from geo.models import PlaceCategory
from properties.models import Property

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("header", "language"), [
    ("", "fr"),
    ("en", "en"),
    ("en-CA,en;q=0.9,fr;q=0.8", "en"),
    ("fr-CA,fr;q=0.9,en;q=0.8", "fr"),
    ("de-DE, en;q=0.5", "en"),  # the first the site speaks, by preference
    ("de", "fr"),
    ("*", "fr"),
    ("en;q=0.1, fr;q=0.9", "fr"),
    ("x" * 2000, "fr"),
])
def test_the_language_asked_for(header, language):
    assert accepted_language(header) == language


@pytest.fixture
def placed():
    """A property with places of several categories around it, and those categories' names."""
    from properties.selectors import nearby_rows

    for prop in Property.objects.exclude(parcel=None).order_by("pk")[:100]:
        slugs = {row[3] for row in nearby_rows(prop.pk)}
        if len(slugs) >= 2:
            categories = PlaceCategory.objects.filter(slug__in=slugs)
            return prop, ({c.name_fr for c in categories}, {c.name_en for c in categories})
    raise AssertionError("the demo has places around its properties")


def _names(response):
    return {f["properties"]["category_name"] for f in response.json()["features"]}


@pytest.mark.parametrize(("header", "expected"), [
    (None, 0), ("en-CA,en;q=0.9", 1), ("fr-CA", 0), ("es", 0)])
def test_the_nearby_api_speaks_the_language_asked_for(client, placed, header, expected):
    prop, names = placed
    assert names[0] != names[1]
    headers = {"HTTP_ACCEPT_LANGUAGE": header} if header else {}
    response = client.get(f"/api/properties/{prop.pk}/nearby/", **headers)
    assert response.status_code == 200
    assert _names(response) == names[expected]
    assert response["Content-Language"] == ("en" if expected else "fr")
    assert "Accept-Language" in response["Vary"]  # a shared cache keeps both


def test_the_header_decides_not_the_language_cookie(client, placed):
    """A page's scripts get the page's language, whatever was chosen on another page."""
    prop, names = placed
    client.cookies.load({"django_language": "en"})
    french = client.get(f"/api/properties/{prop.pk}/nearby/", HTTP_ACCEPT_LANGUAGE="fr")
    assert _names(french) == names[0]


def test_an_api_error_is_in_the_language_asked_for(client, placed):
    prop, _names = placed
    url = f"/api/properties/{prop.pk}/nearby/?radius=far"
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    french = client.get(url, HTTP_ACCEPT_LANGUAGE="fr-CA")
    assert english.status_code == french.status_code == 400
    assert "whole number of metres" in english.content.decode()
    assert "nombre entier de mètres" in french.content.decode()


def test_the_pages_keep_the_language_of_their_address(client, placed):
    prop, _names = placed
    french = client.get(f"/propriete/{prop.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    english = client.get(f"/en/propriete/{prop.pk}/", HTTP_ACCEPT_LANGUAGE="fr")
    assert french["Content-Language"] == "fr" and "Rôle d'évaluation" in french.content.decode()
    assert english["Content-Language"] == "en" and "Evaluation roll" in english.content.decode()
