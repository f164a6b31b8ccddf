"""Places within GUICHET_PROXIMITY_M of a property, measured from its parcel (else its address
point), nearest first, grouped by category."""
from dataclasses import dataclass

from django.conf import settings
from django.contrib.gis.db.models import GeometryField
from django.db.models import Func, Subquery
from django.db.models.functions import Coalesce

from geo.fields import wgs84_geojson
from geo.models import Place, PlaceCategory

from .models import Property


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


def nearby_places_of(pk: int, metres=None):
    """nearby_places(wgs84=True) of property `pk`, in one statement: the property's parcel
    (else its address point) is read by a subquery, not loaded into Python and sent back. An
    unknown property, or one with neither parcel nor address point, has no nearby place."""
    field = GeometryField(srid=settings.GUICHET_SRID)
    origin = Subquery(Property.objects.filter(pk=pk).values(
        origin=Coalesce("parcel", "address_point", output_field=field))[:1])
    # Wrapped in a Func: GeoDjango's dwithin adds its distance to the subquery's parameters,
    # which a bare Subquery gives as a tuple (a TypeError in Django 5.2).
    origin = Func(origin, function="", template="%(expressions)s", output_field=field)
    return (Place.objects.within(origin, metres)
            .annotate(geom_wgs84=wgs84_geojson("geom")).defer("geom"))


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
