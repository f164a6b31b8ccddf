"""Places within GUICHET_PROXIMITY_M of a property, measured from its parcel (else its address
point), nearest first, grouped by category."""
from dataclasses import dataclass

from django.conf import settings
from django.db import connection

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


# Places within %(metres)s of a property's parcel, else its address point, nearest first: one
# statement, the property's geometry never leaves the database. ST_DWithin on the GiST index of
# place.geom filters; ST_Distance runs on the survivors (as PlaceQuerySet.within, in SQL for the
# nearby API's hot path: building that queryset cost more than running it).
NEARBY = f"""
WITH o AS (SELECT coalesce(p.parcel, p.address_point) AS g
           FROM {Property._meta.db_table} p WHERE p.id = %(pk)s)
SELECT pl.id, pl.name, pl.address, c.slug, c.name_fr, c.name_en,
       ST_AsGeoJSON(ST_Transform(pl.geom, 4326), 6), ST_Distance(pl.geom, o.g) AS distance
FROM o
JOIN {Place._meta.db_table} pl ON ST_DWithin(pl.geom, o.g, %(metres)s)
JOIN {PlaceCategory._meta.db_table} c ON c.id = pl.category_id
WHERE %(categories)s::text[] IS NULL OR c.slug = ANY(%(categories)s::text[])
ORDER BY distance, pl.id"""


def nearby_rows(pk: int, metres=None, categories: list[str] | None = None) -> list[tuple]:
    """Property `pk`'s nearby places (of `categories`, slugs; None: all) as rows for
    geo.serializers.nearby_features. An unknown property, or one with neither parcel nor
    address point, has none."""
    metres = settings.GUICHET_PROXIMITY_M if metres is None else metres
    with connection.cursor() as cursor:
        cursor.execute(NEARBY, {"pk": pk, "metres": metres, "categories": categories})
        return cursor.fetchall()


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
