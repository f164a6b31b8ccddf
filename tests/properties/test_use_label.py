"""A roll entry's use label comes with the entry (selectors.roll_entries, a subquery in its
statement) instead of a query of its own: the same text as RollEntry.use_label() in both
languages, the French one when the English is empty, none for a code the table does not have;
and so on the page."""
import pytest
from django.utils import translation

from properties.models import Property, RollEntry, UseCode
from properties.selectors import roll_entries

pytestmark = pytest.mark.django_db


@pytest.fixture
def prop():
    UseCode.objects.update_or_create(code="9991", defaults={"label_fr": "Essai",
                                                            "label_en": ""})
    UseCode.objects.update_or_create(code="9992", defaults={"label_fr": "Français",
                                                            "label_en": "English"})
    prop = Property.objects.order_by("pk").first()
    prop.roll_entries.all().delete()
    for year, code in [(2001, "9991"), (2002, "9992"), (2003, "9993"), (2004, "")]:
        RollEntry.objects.create(property=prop, roll_year=year, use_code=code)
    return prop


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_same_label_as_use_label(prop, language):
    with translation.override(language):
        entries = list(roll_entries().filter(property=prop))
        assert [e.roll_year for e in entries] == [2004, 2003, 2002, 2001]
        assert [e.use_code_label or "" for e in entries] == [e.use_label() for e in entries]
    expected = {"fr": ["", "", "Français", "Essai"], "en": ["", "", "English", "Essai"]}
    assert [e.use_code_label or "" for e in entries] == expected[language]


@pytest.mark.parametrize(("prefix", "year", "cell"), [
    ("", 2002, "<td>9992 — Français</td>"), ("/en", 2002, "<td>9992 — English</td>"),
    ("/en", 2001, "<td>9991 — Essai</td>"), ("", 2003, "<td>9993</td>"), ("", 2004, "<td></td>")])
def test_the_page_shows_the_latest_entrys_label(client, prop, prefix, year, cell):
    prop.roll_entries.filter(roll_year__gt=year).delete()
    html = client.get(f"{prefix}/propriete/{prop.pk}/").content.decode()
    assert f'<th scope="row">{"Utilisation" if not prefix else "Use"}</th>{cell}' in html
