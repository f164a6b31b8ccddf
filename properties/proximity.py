"""Places within GUICHET_PROXIMITY_M of a property, measured from its parcel (else its address
point), nearest first, grouped by category."""
from dataclasses import dataclass

from django.conf import settings

from geo.fields import wgs84_geojson
from geo.models import Place, PlaceCategory


def nearby_places(prop, metres=None, wgs84=False):
    metres = settings.GUICHET_PROXIMITY_M if metres is None else metres
    origin = prop.location
    if origin is None:
        return Place.objects.none()
    qs = Place.objects.within(origin, metres)
    if wgs84:
        # GeoJSON written by PostGIS; the stored geometry is not loaded (GEOS per row).
        qs = qs.annotate(geom_wgs84=wgs84_geojson("geom")).defer("geom")
    return qs


@dataclass
class CategoryGroup:
    category: PlaceCategory
    places: list

    @property
    def nearest_m(self):
        return self.places[0].distance.m


def grouped_by_category(places) -> list[CategoryGroup]:
    """Groups in the order of their nearest place; inside a group, nearest first."""
    groups: dict[int, CategoryGroup] = {}
    for place in places:
        groups.setdefault(place.category_id, CategoryGroup(place.category, [])).places.append(place)
    return sorted(groups.values(), key=lambda g: (g.nearest_m, g.category.sort_order))
