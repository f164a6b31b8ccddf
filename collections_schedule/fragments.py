"""The schedule's HTML that other apps' pages include, rendered once per place and day: every
property that the same zones cover shows the same streams and dates, so the rendered list is
kept in Django's cache under the schedule data's version (selectors.lookup: any write to the
schedule tables makes a new key), the zones, the day and the language."""
import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from .selectors import CACHE_TIMEOUT, cache_key, next_collections_at

COUNT = 8  # dates per stream on the property page


@dataclass(frozen=True)
class Streams:
    html: str  # the streams' list (collections_schedule/_streams.html), safe to include
    zones: list[int]  # the zones in force today, one per stream (the map highlights them)
    any: bool  # some stream has a zone here (else "no collection zone covers this property")


def property_streams(found: tuple, today: dt.date, count: int = COUNT) -> Streams:
    """The streams of the place selectors.lookup() read (`found`: version, civic number, zone
    ids, rule ids, ban ids), as next_collections(prop, today, count) gives them, rendered."""
    version, _civic, zone_ids = found[:3]
    key = None
    if version is not None:
        key = cache_key(version, "streams-html", zone_ids, today, count, get_language())
        hit = cache.get(key)
        if hit is not None:
            return Streams(mark_safe(hit["html"]), hit["zones"], hit["any"])
    schedules = next_collections_at(found, today, count)
    value = {"html": render_to_string("collections_schedule/_streams.html",
                                      {"schedules": schedules}),
             "zones": [s.zone.pk for s in schedules if s.zone], "any": bool(schedules)}
    if key is not None:
        cache.set(key, value, CACHE_TIMEOUT)
    return Streams(mark_safe(value["html"]), value["zones"], value["any"])
