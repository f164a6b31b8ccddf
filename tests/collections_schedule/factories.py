"""Zone sets made in tests, over the demo territory (or part of it)."""
import datetime as dt

from django.contrib.gis.geos import MultiPolygon

from collections_schedule.models import Stream, Zone, ZoneSet
from geo.models import Territory


def territory_area():
    geom = Territory.objects.current().geom
    return geom if isinstance(geom, MultiPolygon) else MultiPolygon(geom)


def active_zone(stream_slug, rrules, dtstart, *, code="Z", area=None,
                effective_from=dt.date(2020, 1, 1), starts_at="07:00", ends_at="18:00",
                policy=None):
    stream = Stream.objects.get(slug=stream_slug)
    if policy:
        stream.holiday_policy = policy
        stream.save()
    zone_set = ZoneSet.objects.create(stream=stream, name=f"test {code}", status="active",
                                      effective_from=effective_from)
    return Zone.objects.create(zone_set=zone_set, code=code, geom=area or territory_area(),
                               rrules=rrules, dtstart=dtstart, starts_at=starts_at,
                               ends_at=ends_at)
