"""Finding a property on the demo data: accents, case, abbreviations, typos, matricule, lot."""
import pytest

from properties.models import CivicAddress, Property

pytestmark = pytest.mark.django_db


def _search(client, q):
    response = client.get("/api/properties/search/", {"q": q})
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def address():
    # A real Pincourt address from OpenStreetMap, on a boulevard with an accented name.
    return CivicAddress.objects.filter(street_name="Cardinal-Léger").order_by("pk").first()


@pytest.mark.parametrize("spelling", [
    "{n} Boulevard Cardinal-Léger",
    "{n} boul. cardinal leger",
    "{n}, BD CARDINAL-LEGER",
    "{n} cardinal léger",
    "{n} boul cardinal-legre",  # transposed letters
    "{n} boulevard cardnal leger",  # a missing letter
])
def test_address_variants_find_the_property(client, address, spelling):
    results = _search(client, spelling.format(n=address.civic_number))
    assert address.property_id in [r["property_id"] for r in results]
    best = results[0]["property_id"]
    assert CivicAddress.objects.filter(property_id=best, civic_number=address.civic_number).exists()


def test_abbreviation_saint(client, db):
    prop = Property.objects.create(matricule="9999-11-2222-3-000-0000")
    CivicAddress.objects.create(property=prop, civic_number="12", street_generic="rue",
                                street_name="Saint-Jean", label="12 rue Saint-Jean",
                                search_text="12 rue saint jean", civic_int=12)
    for q in ("12 rue St-Jean", "12, Rue Saint-Jean", "12 r st jean"):
        assert prop.pk in [r["property_id"] for r in _search(client, q)], q


def test_search_by_matricule_and_by_lot(client):
    prop = Property.objects.exclude(lots=[]).order_by("pk")[5]
    digits = prop.matricule.replace("-", "")
    for q in (prop.matricule, digits[:10], " ".join([digits[:4], digits[4:6], digits[6:10]])):
        assert prop.pk in [r["property_id"] for r in _search(client, q)], q
    lot = prop.lots[0]
    spaced = f"{lot[0]} {lot[1:4]} {lot[4:]}"  # as printed on a tax bill: 1 674 007
    assert prop.pk in [r["property_id"] for r in _search(client, spaced)]


def test_no_match_and_bad_queries(client):
    assert _search(client, "99999 rue Inexistante") == []
    assert _search(client, "a") == []
    assert client.get("/api/properties/search/").status_code == 400
    too_long = client.get("/api/properties/search/", {"q": "x" * 500})
    assert too_long.status_code == 400
    assert "long" in too_long.json()["detail"]


def test_home_page_search_works_without_javascript(client, address):
    html = client.get("/", {"q": f"{address.civic_number} boul cardinal leger"}).content.decode()
    assert f"/propriete/{address.property_id}/" in html


def test_an_address_with_its_unit_first_finds_that_unit(client):
    """Quebec writes "unit-number street": the demo's roll has such addresses."""
    units = CivicAddress.objects.filter(label__regex=r"^[0-9]+-[0-9]+ ").order_by("pk")
    assert units.exists()
    for address in units:
        results = _search(client, address.label)
        assert address.property_id in [r["property_id"] for r in results], address.label


def test_answers_with_the_same_label_are_told_apart(client):
    """Two answers "92 Boulevard Cardinal-Léger" (two matricules) each say what they are."""
    from collections import Counter

    unit = CivicAddress.objects.exclude(unit="").exclude(property__address_point=None).first()
    building = unit.label.removeprefix(f"{unit.unit}-")
    answers = client.get("/api/properties/search/", {"q": building}).json()
    twins = [a for a in answers
             if Counter(b["label"] for b in answers)[a["label"]] > 1]
    assert twins, answers
    assert len({a["detail"] for a in twins}) == len(twins)
    for answer in twins:
        assert answer["matricule"] in answer["detail"]
    assert all(a["detail"] == "" for a in answers if a not in twins)
