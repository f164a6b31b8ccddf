"""The printable calendar tells the streams apart without colour: each stream of the page has
its own letters, in the cells and in the legend, in the page's language ("Matières
recyclables" and "Matières organiques" both began with M, printed alike in black and white)."""
import datetime as dt

import pytest
from django.utils import timezone
from lxml import html as lxml_html

from collections_schedule.calendar_marks import stream_marks
from collections_schedule.models import Stream
from collections_schedule.schedule import collection_dates
from properties.models import Property

pytestmark = pytest.mark.django_db


def test_every_stream_of_the_demo_gets_its_own_mark_in_both_languages():
    for field in ("name_fr", "name_en"):
        names = list(Stream.objects.values_list(field, flat=True))
        marks = stream_marks(names)
        assert len(set(marks)) == len(names), dict(zip(names, marks, strict=True))
    assert stream_marks(["Ordures ménagères", "Matières recyclables", "Matières organiques"]) \
        == ["O", "MR", "MO"]
    assert stream_marks(["Garbage", "Green waste", "Organics (food waste)"]) == ["G", "GW", "O"]
    assert stream_marks(["Résidus verts", "Recyclage vert"]) == ["R1", "R2"]


@pytest.fixture
def prop_with_both_m_streams():
    """A demo property whose year has recycling and organics (both "Matières ..." in French)."""
    year = timezone.localdate().year
    for prop in Property.objects.exclude(address_point=None).order_by("pk")[:50]:
        slugs = {s.stream.slug for s in collection_dates(prop, dt.date(year, 1, 1),
                                                         dt.date(year, 12, 31))}
        if {"recycling", "organics", "garbage"} <= slugs:
            return prop, year
    pytest.fail("the demo has no property with recycling and organics")


def _legend_and_cells(client, url):
    tree = lxml_html.fromstring(client.get(url).content)
    legend = {}
    for mark in tree.xpath('//ul[@class="cal-legend"]/li/span[@class="mark"]'):
        legend[(mark.tail or "").strip().split(" (zone")[0]] = mark.text_content().strip()
    cells = [(m.xpath('span[@class="visually-hidden"]')[0].text_content()
              .removesuffix("(déplacée)").removesuffix("(moved)").strip(),
              m.xpath('span[@aria-hidden="true"]')[0].text_content().strip())
             for m in tree.xpath('//table[@class="cal-month"]//td/span[contains(@class, "mark")]')]
    return legend, cells


@pytest.mark.parametrize("prefix, first, second", [
    ("", "Matières recyclables", "Matières organiques"),
    ("/en", "Recycling", "Organics (food waste)"),
])
def test_the_printed_marks_tell_every_stream_apart(client, prop_with_both_m_streams, prefix,
                                                   first, second):
    prop, year = prop_with_both_m_streams
    legend, cells = _legend_and_cells(client, f"{prefix}/collectes/propriete/{prop.pk}/{year}/")
    assert first in legend and second in legend
    assert legend[first] != legend[second]
    assert len(set(legend.values())) == len(legend), legend  # one mark, one stream
    assert cells, "collections are marked in the cells"
    for name, mark in cells:  # a cell's letters are its stream's, as the legend says
        assert legend[name] == mark, (name, mark, legend)
