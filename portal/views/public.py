"""The public pages: home (address search and the town map) and the property page (roll entry,
nearby places, collections, watering, on the map)."""
import json

from django.conf import settings
from django.contrib.gis.db.models.functions import AsGeoJSON, Transform
from django.core.cache import cache
from django.db.models import FloatField, Func
from django.db.models.expressions import RawSQL
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from alerts import current as current_alerts
from collections_schedule import fragments as schedule_fragments
from collections_schedule.selectors import lookup_of_row
from map_ui.config import TERRITORY_KEY_SQL, map_base, outline_cache_key
from properties.models import CivicAddress, Property
from properties.selectors import (
    MAX_QUERY_LENGTH,
    find_properties,
    grouped_by_category,
    nearby_places_of,
    roll_entries,
)


def home(request):
    query = request.GET.get("q", "")[:MAX_QUERY_LENGTH]
    results = find_properties(query) if query else None
    return render(request, "portal/home.html", {
        "query": query, "results": results, "map_config": map_base(),
        # Rendered once per language and cached until the list changes (alerts.current).
        "alerts_html": current_alerts.home_section()})


# The proximity area drawn on the map: the property's location (Property.location: the parcel,
# else the address point) grown by the radius in the projected CRS (exact metres, 16 segments a
# quarter circle, as GEOS's buffer), then in WGS84, written by PostGIS.
_AREA_SQL = ('ST_AsGeoJSON(ST_Transform(ST_Buffer(CASE WHEN ST_IsEmpty("properties_property".'
             '"parcel") IS FALSE THEN "properties_property"."parcel" ELSE '
             '"properties_property"."address_point" END, %s, \'quad_segs=16\'), 4326), 15)')


def property_page(request, pk):
    radius = settings.GUICHET_PROXIMITY_M
    point = Transform("address_point", 4326)
    now = timezone.localtime()
    prop = get_object_or_404(
        Property.objects
        .defer("parcel", "address_point")  # drawn from the annotations, measured by PostGIS
        .annotate(shape=AsGeoJSON(Transform("parcel", 4326), precision=7),
                  lon=Func(point, function="ST_X", output_field=FloatField()),
                  lat=Func(point, function="ST_Y", output_field=FloatField()),
                  area=RawSQL(_AREA_SQL, [radius]),
                  territory_key=RawSQL(TERRITORY_KEY_SQL, []),
                  # The zones, watering rules and bans covering the property and the schedule
                  # data's version (collections_schedule.selectors.lookup, in this statement).
                  schedule_found=lookup_of_row(now)),
        pk=pk)
    places = nearby_places_of(prop.pk, radius)  # by the id: the page shows no geometry
    # The same two statements as prefetch_related("addresses", "roll_entries") would run,
    # without its machinery (~0.5 ms a page on the bench town).
    entries = list(roll_entries().filter(property_id=prop.pk))
    addresses = list(CivicAddress.objects.filter(property_id=prop.pk))  # by pk (Meta.ordering)
    # What the page keeps in Django's cache, in one read (the database cache answers each read
    # with a query): the streams' list and the watering list rendered for the schedule lookup's
    # answer today (collections_schedule.fragments), the current alerts (alerts.current) and the
    # territory's outline (map_ui.config). Each part computes and stores its own misses.
    found = prop.schedule_found
    keys = [*schedule_fragments.cache_keys(found, now), current_alerts.cache_key()]
    if prop.territory_key is not None:
        keys.append(outline_cache_key(prop.territory_key))
    hits = cache.get_many(keys)
    schedule = schedule_fragments.property_html(found, now, hits)
    streams = schedule.streams
    config = {
        **map_base(prop.territory_key, hits),
        "property": {"id": prop.pk, "shape": json.loads(prop.shape) if prop.shape else None,
                     "point": [prop.lat, prop.lon] if prop.lon is not None else None},
        "area": json.loads(prop.area) if prop.area else None,
        "radius": radius,
        "nearbyUrl": reverse("property-nearby", args=[prop.pk]),
        "zonesUrl": reverse("collection-zone-list"),
        "propertyZones": streams.zones,
    }
    ical = reverse("property-ical", args=[prop.pk])  # the link and the subscription address
    return render(request, "portal/property.html", {
        "property": prop, "addresses": addresses,
        "roll": entries[0] if entries else None, "history": entries,
        "groups": grouped_by_category(places), "place_count": len(places),
        "radius": radius, "map_config": config,
        "located": bool(prop.shape) or prop.lon is not None,
        "streams_html": streams.html, "has_schedules": streams.any,
        "watering_html": schedule.watering,
        "ical_path": ical, "ical_url": request.build_absolute_uri(ical),
        "this_year": now.year,
        # The current alerts whose area reaches the parcel (else the address point): their
        # rendering cached (alerts.current), one statement for their ids when some are current.
        "alerts_html": current_alerts.property_section(prop, hits),
    })
