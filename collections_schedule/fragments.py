"""The schedule's HTML that other apps' pages include, rendered once per place and day and kept
in Django's cache under the schedule data's version (selectors.lookup: any write to the schedule
tables makes a new key): the streams' list (the same for every property the same zones cover,
per day and language) and the watering list (the same for every property with the same civic-
number parity, rules and bans, per day, language and time zone: one rendering per interval of
the day between the instants at which the answer can change, see selectors.watering_day)."""
import datetime as dt
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from core.cache_batch import CacheBatch

from .selectors import (
    CACHE_TIMEOUT,
    at_instant,
    cache_key,
    next_collections_at,
    watering_day,
    watering_key,
)

COUNT = 8  # dates per stream on the property page


@dataclass(frozen=True)
class Streams:
    html: str  # the streams' list (collections_schedule/_streams.html), safe to include
    zones: list[int]  # the zones in force today, one per stream (the map highlights them)
    any: bool  # some stream has a zone here (else "no collection zone covers this property")


@dataclass(frozen=True)
class PropertySchedule:
    streams: Streams
    watering: str  # the watering list at `now` (collections_schedule/_watering.html), safe


def cache_keys(found: tuple, now: dt.datetime, count: int = COUNT) -> list[str]:
    """The cache keys property_html reads, for a page that reads them in one get_many with
    its other entries (the database cache answers each read with a query)."""
    return [key for key in _keys(found, now, count) if key is not None]


def property_html(found: tuple, now: dt.datetime, hits: dict | None = None,
                  count: int = COUNT) -> PropertySchedule:
    """The streams and the watering answer at `now` (local time) of the place selectors.lookup()
    or lookup_of_row read (`found`: version, civic number, zone ids, rule ids, ban ids), as
    next_collections(prop, today, count) and watering_status(prop, now) give them, rendered.
    `hits`: what the caller read of cache_keys() (absent keys are misses); None: read here."""
    streams_key, watering_key_ = keys = _keys(found, now, count)
    with CacheBatch(keys, CACHE_TIMEOUT, hits) as batch:
        streams = batch.get(streams_key, _render_streams, found, now.date(), count)
        watering = batch.get(watering_key_, _render_watering, found, now)
    return PropertySchedule(
        Streams(mark_safe(streams["html"]), streams["zones"], streams["any"]),
        mark_safe(at_instant(watering["bounds"], watering["html"], now)))


def _keys(found: tuple, now: dt.datetime, count: int) -> tuple[str | None, str | None]:
    version, _civic, zone_ids = found[:3]
    if version is None:  # no data version: nothing cached
        return None, None
    return (cache_key(version, "streams-html", zone_ids, now.date(), count, get_language()),
            watering_key(found, now, "watering-html"))


def _render_streams(found: tuple, today: dt.date, count: int) -> dict:
    schedules = next_collections_at(found, today, count)
    return {"html": render_to_string("collections_schedule/_streams.html",
                                     {"schedules": schedules}),
            "zones": [s.zone.pk for s in schedules if s.zone], "any": bool(schedules)}


def _render_watering(found: tuple, now: dt.datetime) -> dict:
    """{"bounds": [instants], "html": [the list at each interval of now's day]}."""
    _version, civic, _zone_ids, rule_ids, ban_ids = found
    bounds, answers = watering_day(rule_ids, ban_ids, civic, now.date(), now.tzinfo)
    return {"bounds": bounds, "html": [
        render_to_string("collections_schedule/_watering.html", {"watering": methods})
        for methods in answers]}
