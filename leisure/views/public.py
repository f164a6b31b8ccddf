"""The public catalogue: a season's groups with filters, on a map and in a list, and a page per
group (its schedule with the next sessions, place, ages, fees, seats left)."""
from dataclasses import dataclass

from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import time as time_filter
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.templatetags.humanize_money import money
from map_ui.config import map_base

from .. import selectors
from ..filters import CatalogueFilterForm
from ..models import Group
from ..recurrence import sessions

PAGE_SIZE = 50
NEXT_SESSIONS = 10


def catalogue(request):
    today = timezone.localdate()
    seasons = list(selectors.seasons())
    code = request.GET.get("season")
    season = next((s for s in seasons if s.code == code), None) if code else \
        selectors.current_season(today, seasons)
    data = request.GET.copy()
    if season is not None and not code:
        data["season"] = season.code  # the season shown, chosen in its list
    facts = selectors.season_facts(season)  # the same until the catalogue is edited: cached
    form = CatalogueFilterForm(data, seasons=seasons, categories=facts["categories"],
                               places=facts["place_choices"])
    valid = form.is_valid()
    if valid and code and season is None:
        form.add_error("season", _("No season has the code %(code)s.") % {"code": code})
        valid = False
    filters = form.cleaned_data if valid else {}
    groups = selectors.matching(season, filters) if valid else Group.objects.none()
    counts = {}
    if valid:  # the season's own counts when no filter narrows it
        narrowed = any(value not in (None, "", [], False) for name, value in filters.items()
                       if name not in ("season", "page"))
        counts = selectors.place_counts(groups) if narrowed else facts["counts"]
    paginator = Paginator(groups, PAGE_SIZE)
    paginator.count = sum(counts.values())  # the groups counted by place: no COUNT statement
    page = paginator.get_page(filters.get("page"))
    page.object_list = _cards(page.object_list, facts["version"]) if paginator.count else []
    query = request.GET.copy()
    query.pop("page", None)
    places = selectors.map_places(counts, facts["places"])
    return render(request, "leisure/catalogue.html", {
        "season": season, "form": form, "page": page, "query": query.urlencode(),
        "seasons": seasons, "places": _listed_places(places),
        "map_config": {**map_base(), "places": _map_places(places, query)},
    }, status=200 if valid else 400)


def _value(value):
    """A value as {% blocktranslate with x=value %} puts it in its text: localized, escaped."""
    return conditional_escape(formats.localize(value))


def _memo(compute):
    """compute(value), each value computed once by this function (one page's call)."""
    known = {}

    def get(value):
        if value not in known:
            known[value] = compute(value)
        return known[value]
    return get


# Where a card's seats left go in its cached HTML (no text of a card holds a NUL character).
SEATS_MARK = "\x00seats\x00"


@dataclass(frozen=True)
class Card:
    """One group's card: its HTML around its seats left, and their text (live)."""
    card_head: str
    seats: str
    card_tail: str


def _cards(page, version: int | None) -> list[Card]:
    """The cards of one page of selectors.matching() (a slice): the seats left of its groups
    read live (one statement), the rest of each card (leisure/_card.html: its activity, ages,
    hours, dates, place and fees, which only an edit of the catalogue changes) from Django's
    cache under the catalogue's version and the page's language, the missing ones read
    (selectors.list_rows), rendered and kept."""
    rows = selectors.page_seats(page)
    keys = {pk: selectors.card_key(version, pk) for pk, _capacity, _taken in rows}
    known = cache.get_many(list(keys.values())) if version is not None else {}
    missing = [pk for pk, key in keys.items() if key not in known]
    if missing:
        labels = {"label_category": _("Category"), "label_ages": _("Ages"),
                  "label_when": _("When"), "label_place": _("Place"), "label_fees": _("Fees"),
                  "label_seats": _("Seats left")}
        made = {}
        for group in _with_card_texts(selectors.list_rows(missing)):
            html = render_to_string("leisure/_card.html",
                                    {"g": group, "seats": SEATS_MARK, **labels})
            made[keys[group.pk]] = tuple(html.rstrip("\n").split(SEATS_MARK))
        if version is not None:
            cache.set_many(made, selectors.CACHE_TIMEOUT)
        known.update(made)
    seats = _("%(left)s of %(capacity)s")
    cards = []
    for pk, capacity, taken in rows:
        head, tail = known[keys[pk]]
        cards.append(Card(mark_safe(head), mark_safe(seats % {  # as with_seats_left
            "left": _value(capacity - taken), "capacity": _value(capacity)}), mark_safe(tail)))
    return cards


def _with_card_texts(groups: list) -> list:
    """Each group (selectors.list_rows) with the texts of its card (`url`, `when`, `period`,
    `fees`; its seats left are _cards'), what the template's {% url %} and {% blocktranslate %}
    tags and slots loop wrote, the same HTML, made here (they cost the template ~0.2 ms a
    card): its page, its slots ("Every week: Wednesday, 17:30–18:30; ..."), its first and last
    sessions and its fees. The groups of a page share most of their dates, hours, rules and
    fees: each is written once."""
    period = _("From %(start)s to %(end)s.")
    fees = _("%(r)s residents, %(n)s non-residents")
    day = _memo(lambda value: _value(date_filter(value, "DATE_FORMAT")))
    hour = _memo(lambda value: time_filter(value, "H:i"))
    dollars = _memo(lambda value: _value(money(value, 2)))
    slot_texts = {}  # by what a slot's text says: its rule, first day (the rule's
    #                  description reads it) and hours

    def slot_text(slot):
        key = (slot.rule, slot.starts_on, slot.start_time, slot.end_time)
        if key not in slot_texts:
            slot_texts[key] = format_html("{}, {}–{}", slot.description,
                                          hour(slot.start_time), hour(slot.end_time))
        return slot_texts[key]

    for group in groups:
        slots = group.slot_list  # selectors.list_rows: first and last as Group's properties
        group.url = reverse("leisure:group", args=[group.pk])
        group.when = mark_safe("; ".join(slot_text(slot) for slot in slots))
        group.period = mark_safe(period % {
            "start": day(min((s.starts_on for s in slots), default=None)),
            "end": day(max((s.ends_on for s in slots), default=None))})
        group.fees = mark_safe(fees % {"r": dollars(group.fee_resident),
                                       "n": dollars(group.fee_non_resident)})
    return groups


def _listed_places(places) -> list[str]:
    """The places under the map, "name (3 groups)", escaped, as the template wrote them with
    `{% blocktranslate count n=p.count %}{{ n }} group{% plural %}...`: the words made once
    per count rather than once per place."""
    labels = {}
    for place in places:
        n = place["count"]
        if n not in labels:
            labels[n] = ngettext("%(n)s group", "%(n)s groups", n) % {"n": _value(n)}
    return [mark_safe(f"{conditional_escape(place['name'])} ({labels[place['count']]})")
            for place in places]


def _map_places(places, query) -> list[dict]:
    """The markers (_map_place), the list's address and the words made once, not per place."""
    base = reverse("leisure:catalogue")
    encoded = None if "place" in query else query.urlencode()
    link_text = _("%(groups)s: see them in the list")
    labels = {}
    markers = []
    for place in places:
        n = place["count"]
        if n not in labels:
            labels[n] = ngettext("%(n)d group", "%(n)d groups", n) % {"n": n}
        if encoded is None:  # the list filtered by a place: its own query, as _map_place does
            markers.append(_map_place(place, query))
            continue
        label = labels[n]
        filtered = f"{encoded}&place={place['id']}" if encoded else f"place={place['id']}"
        markers.append({**place, "label": label, "url": f"{base}?{filtered}#groups",
                        "linkText": link_text % {"groups": label}})
    return markers


def _map_place(place, query) -> dict:
    """A marker: its place, how many groups, and the list filtered by it (the map's way to the
    list; the filters' place list is the way without the map)."""
    filtered = query.copy()
    filtered["place"] = str(place["id"])
    label = ngettext("%(n)d group", "%(n)d groups", place["count"]) % {"n": place["count"]}
    return {**place, "label": label,
            "url": f"{reverse('leisure:catalogue')}?{filtered.urlencode()}#groups",
            "linkText": _("%(groups)s: see them in the list") % {"groups": label}}


def group_page(request, pk):
    try:
        group = selectors.group_page(pk)
    except Group.DoesNotExist:
        raise Http404 from None
    today = timezone.localdate()
    slots = list(group.slots.all())
    upcoming = sessions(slots, start=today, limit=NEXT_SESSIONS)
    registration = (selectors.group_registration(request.user, group)
                    if request.user.is_authenticated else None)
    return render(request, "leisure/group.html", {
        "group": group, "slots": slots, "upcoming": upcoming, "today": today,
        "registration": registration,
        "over": not upcoming, "season": group.season,
        "window": group.season.window_at(timezone.now()),
        "map_config": {**map_base(), "point": [group.lat, group.lon],
                       "placeName": group.place.display_name},
    })
