"""The public pages: home (address search and the town map) and the property page (roll entry,
nearby places, collections, watering, on the map)."""
import json

from django.conf import settings
from django.contrib.gis.db.models.functions import AsGeoJSON, Transform
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from collections_schedule.schedule import next_collections
from collections_schedule.watering import watering_status
from geo.geometry import transformed
from map_ui.config import map_base
from properties.models import Property, RollEntry, UseCode
from properties.proximity import grouped_by_category, nearby_places
from properties.search import MAX_QUERY_LENGTH, find_properties


def home(request):
    query = request.GET.get("q", "")[:MAX_QUERY_LENGTH]
    results = find_properties(query) if query else None
    return render(request, "portal/home.html", {
        "query": query, "results": results, "map_config": map_base()})


def property_page(request, pk):
    prop = get_object_or_404(
        Property.objects
        .annotate(shape=AsGeoJSON(Transform("parcel", 4326), precision=7),
                  point=Transform("address_point", 4326))
        .prefetch_related("addresses",
                          Prefetch("roll_entries", RollEntry.objects.order_by("-roll_year"))),
        pk=pk)
    radius = settings.GUICHET_PROXIMITY_M
    places = list(nearby_places(prop, radius))
    entries = list(prop.roll_entries.all())
    labels = {c.code: c.label  # in the request's language (LocaleMiddleware)
              for c in UseCode.objects.filter(code__in={e.use_code for e in entries})}
    area = None
    if prop.location is not None:
        zone = prop.location.buffer(radius, quadsegs=16)  # exact metres in the projected CRS
        transformed(zone, 4326)
        area = json.loads(zone.geojson)
    config = {
        **map_base(),
        "property": {"id": prop.pk, "shape": json.loads(prop.shape) if prop.shape else None,
                     "point": [prop.point.y, prop.point.x] if prop.point else None},
        "area": area,
        "radius": radius,
        "nearbyUrl": reverse("property-nearby", args=[prop.pk]),
        "zonesUrl": reverse("collection-zone-list"),
    }
    schedules = next_collections(prop)
    config["propertyZones"] = [s.zone.pk for s in schedules if s.zone]
    return render(request, "portal/property.html", {
        "property": prop, "addresses": list(prop.addresses.all()),
        "roll": entries[0] if entries else None, "history": entries,
        "use_labels": labels, "groups": grouped_by_category(places), "place_count": len(places),
        "radius": radius, "map_config": config,
        "schedules": schedules, "watering": watering_status(prop),
        "ical_url": request.build_absolute_uri(reverse("property-ical", args=[prop.pk])),
        "this_year": timezone.localdate().year,
    })
