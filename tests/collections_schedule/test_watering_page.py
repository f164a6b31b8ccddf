"""The property page's watering list comes from the day's cached renderings (fragments: one per
interval between the instants at which the answer can change, picked at `now`), and the
dashboard's cards' answers from the day's cached answers (selectors.card_schedules), not from
watering_status; they must say what watering_status says, at every instant. Checked around every
bound of a summer day (window starts and ends, bans starting and ending, a ban coming into view),
in French and in English, for addresses of both parities, on both sides of a ban's and a rule's
area, and without a civic number; and through the page and the dashboard themselves."""
import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from citizens.models import PropertyLink
from collections_schedule import fragments
from collections_schedule.importers.watering_bylaw import load_watering_bylaw
from collections_schedule.models import WateringBan, WateringRule
from collections_schedule.selectors import CARD_DAYS, CARD_SLOTS, card_schedules, lookup
from collections_schedule.serializers import WateringAnswerSerializer
from collections_schedule.watering import watering_status
from portal.selectors import dashboard
from properties.models import Property

from .test_schedule_api import TZ, halves, multi
from .test_watering import BYLAW

pytestmark = pytest.mark.django_db
DAY = dt.date(2027, 7, 14)  # in the sprinklers' season; an even date
T = dt.timedelta
ONE_S = T(seconds=1)

# The list as _property_schedule.html wrote it before it came from the cache (the reference).
BEFORE = """{% load i18n %}<section aria-labelledby="watering-title" data-testid="watering">
  <h2 id="watering-title">{% translate "Lawn watering" %}</h2>
  <ul class="watering">
  {% for w in watering %}
    <li data-method="{{ w.method }}" data-allowed="{{ w.allowed_now|yesno:'yes,no' }}">
      <strong>{{ w.label|capfirst }}</strong> :
      {% if w.allowed_now %}<span class="ok">{% translate "allowed now" %}</span>{% else %}<span class="no">{% translate "not allowed now" %}</span>{% endif %}
      <span class="reason">{{ w.reason }}</span>
      {% if w.slots %}<details><summary>{% translate "Next allowed times" %}</summary><ul>
        {% for slot in w.slots %}<li>{{ slot.start|date:"l j F" }}, {{ slot.start|time:"H:i" }}–{{ slot.end|time:"H:i" }}</li>{% endfor %}
      </ul></details>{% endif %}
    </li>
  {% endfor %}
  </ul>
</section>"""  # noqa: E501
SECTION = re.compile(r'<section aria-labelledby="watering-title".*?</section>', re.S)


def at(day, hours, minutes=0):
    return dt.datetime.combine(day, dt.time(), tzinfo=TZ) + T(hours=hours, minutes=minutes)


@pytest.fixture
def rules_and_bans():
    """The demo's by-law (sprinklers 20:00-23:00 by parity, hand-held and drip all day), a night
    sprinkler rule across midnight, drip limited to the east half, and bans on the day: one from
    the evening before, one across midnight, one ending at midnight, one on the west half only,
    and one eight days later (in view from 10:00: the lookup's bans change within the day)."""
    WateringBan.objects.all().delete()
    WateringRule.objects.all().delete()
    load_watering_bylaw(BYLAW)
    west, east = halves()
    WateringRule.objects.create(name_fr="Nuit", name_en="Night", method="sprinkler",
                                parity_matches_civic=True, starts_at=dt.time(22, 30),
                                ends_at=dt.time(1, 15), season_start="01-01",
                                season_end="12-31")
    WateringRule.objects.filter(method="drip").update(area=multi(east))
    bans = [("Travaux", "Works", ["handheld"], at(DAY, -6), at(DAY, 6, 45), None),
            ("Canicule", "Heat wave", ["sprinkler"], at(DAY, 21, 30), at(DAY, 24, 30), None),
            ("Pénurie", "Shortage", ["drip"], at(DAY, 14), at(DAY, 24), None),
            ("Bris", "Main break", [], at(DAY, 9), at(DAY, 11, 15), multi(west)),
            ("Plus tard", "Later", [], at(DAY, 8 * 24 + 10), at(DAY, 8 * 24 + 12), None)]
    for fr, en, methods, starts, ends, area in bans:
        WateringBan.objects.create(title_fr=fr, title_en=en, methods=methods, starts_at=starts,
                                   ends_at=ends, area=area)
    return west


def instants(day):
    """Midnight, the day's last second, and one second before, at and after every instant the
    rules and bans name on the day (written independently of selectors.watering_day), the ban
    eight days ahead coming into view (its start less the lookup's eight days) included."""
    bounds = {at(day, 0), at(day, 24) - ONE_S}
    for rule in WateringRule.objects.all():
        for time in (rule.starts_at, rule.ends_at):
            bounds.add(dt.datetime.combine(day, time, tzinfo=TZ))
    for ban in WateringBan.objects.all():
        for moment in (ban.starts_at, ban.ends_at, ban.starts_at - T(days=8)):
            bounds.add(timezone.localtime(moment, TZ))
    around = {b + d for b in bounds for d in (-ONE_S, T(0), ONE_S)}
    return sorted(t for t in around if t.date() == day)


def properties(west):
    """An even and an odd civic number on each half, and one without an address."""
    import shapely

    found, west_shape = {}, shapely.from_wkt(west.wkt)
    for prop in Property.objects.exclude(address_point=None).prefetch_related("addresses"):
        first = next(iter(prop.addresses.all()), None)
        key = (None if first is None or first.civic_int is None else first.civic_int % 2,
               west_shape.covers(shapely.from_wkt(prop.address_point.wkt)))
        found.setdefault(key, prop)
    assert {(0, True), (0, False), (1, True), (1, False)} <= set(found)
    return list(found.values())


def reference(prop, now):
    return render_to_string("collections_schedule/_watering.html",
                            {"watering": watering_status(prop, now)})


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_cached_list_is_watering_status_around_every_bound(rules_and_bans, language):
    moments = instants(DAY)
    assert len(moments) > 30
    seen = set()
    with translation.override(language):
        for prop in properties(rules_and_bans):
            for now in moments:
                got = fragments.property_html(lookup(prop.pk, now), now).watering
                assert got == reference(prop, now), (prop.pk, now.isoformat())
                seen.add(got)
    # The day went through allowed, forbidden and banned answers (not one answer all day).
    assert len(seen) > 10
    assert any("Canicule" in s or "Heat wave" in s for s in seen)


def test_the_answers_come_from_the_cache_once_computed(rules_and_bans):
    """After a first request of the day, another instant (a later interval) is read from the
    cached renderings: no query of the rules or bans. (The same bans in view at both: from
    11:15 to the end of the day.)"""
    prop = properties(rules_and_bans)[0]
    first, later = at(DAY, 12), at(DAY, 21, 45)
    fragments.property_html(lookup(prop.pk, first), first)
    found = lookup(prop.pk, later)
    with CaptureQueriesContext(connection) as queries:
        got = fragments.property_html(found, later).watering
    assert len(queries) == 1  # the one cache read (streams and watering)
    assert "guichet_cache" in queries[0]["sql"]
    assert got == reference(prop, later)


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_the_property_page_shows_what_it_showed_before(client, rules_and_bans, monkeypatch,
                                                        prefix):
    language = "en" if prefix else "fr"
    for prop in properties(rules_and_bans)[:2]:
        for now in (at(DAY, 9, 30), at(DAY, 21, 30), at(DAY, 22, 45)):
            cache.clear()
            monkeypatch.setattr(timezone, "now", lambda now=now: now.astimezone(dt.UTC))
            for _ in ("miss", "hit"):
                html = client.get(f"{prefix}/propriete/{prop.pk}/").content.decode()
                with translation.override(language):
                    expected = Template(BEFORE).render(Context(
                        {"watering": watering_status(prop, now)}))
                assert SECTION.search(html).group(0) == expected, (prop.pk, now)


def as_json(answers):
    return WateringAnswerSerializer(answers, many=True).data


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_cards_answers_are_watering_status_around_every_bound(rules_and_bans, language):
    """The dashboard's horizon is three days: its own lookup of the bans in view, its own
    entry; the cards of several properties in one call (keys shared, computed once)."""
    props = properties(rules_and_bans)
    with translation.override(language):
        for now in instants(DAY):
            cards = card_schedules([lookup(p.pk, now, days=CARD_DAYS) for p in props], now)
            for prop, (_streams, answers) in zip(props, cards, strict=True):
                expected = watering_status(prop, now, days=CARD_DAYS, slot_count=CARD_SLOTS)
                assert answers == expected, (prop.pk, now.isoformat())
                assert as_json(answers) == as_json(expected), (prop.pk, now.isoformat())


def test_the_dashboard_shows_the_same_cards(rules_and_bans, django_user_model):
    user = django_user_model.objects.create_user(username="carte", password="x-Carte-2026!")
    props = properties(rules_and_bans)
    for prop in props:
        PropertyLink.objects.create(user=user, property=prop, role="owner", status="verified",
                                    method="code")
    for now in (at(DAY, 9, 30), at(DAY, 20, 30), at(DAY, 21, 45)):
        for _ in ("miss", "hit"):
            cards = {card.link.property_id: card for card in dashboard(user, now)["cards"]}
            for prop in props:
                assert as_json(cards[prop.pk].watering) == as_json(watering_status(
                    prop, now, days=CARD_DAYS, slot_count=CARD_SLOTS)), (prop.pk, now)
