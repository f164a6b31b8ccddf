"""Reads of the properties: the places near a property (measured from its parcel, else its
address point, nearest first; also as one SQL statement for the nearby API) and the address
search (type-ahead by civic address, matricule or lot number)."""
from dataclasses import dataclass

from django.conf import settings
from django.contrib.gis.db.models.functions import Transform
from django.db import connection, transaction
from django.urls import reverse

from geo.fields import wgs84_geojson
from geo.models import Place, PlaceCategory

from .models import CivicAddress, Property


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


# pg_trgm's default word-similarity threshold (0.6) rejects one-letter typos in short street
# names ("boyre" for "boyer"); 0.45 keeps them while still discarding unrelated streets.
WORD_SIMILARITY_THRESHOLD = 0.45
MAX_QUERY_LENGTH = 200


def find_properties(query: str, limit: int = 10) -> list[dict]:
    query = (query or "").strip()
    if len(query) < 2:
        return []
    matches, seen = [], set()
    by_id = (Property.objects.matching_identifier(query)
             .annotate(point=Transform("address_point", 4326))
             .prefetch_related("addresses")[:limit])
    for prop in by_id:
        first = next(iter(prop.addresses.all()), None)
        matches.append(_match(prop.pk, f"{prop.matricule} — {first.label if first else ''}",
                              prop.matricule, prop.point))
        seen.add(prop.pk)
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL pg_trgm.word_similarity_threshold = %s",
                    [WORD_SIMILARITY_THRESHOLD])
        addresses = list(CivicAddress.objects.search(query, limit=limit)
                         .annotate(point=Transform("property__address_point", 4326)))
    for address in addresses:
        if address.property_id not in seen and len(matches) < limit:
            seen.add(address.property_id)
            matches.append(_match(address.property_id, address.label,
                                  address.property.matricule, address.point))
    return matches


def _match(pk, label, matricule, point):
    return {"property_id": pk, "label": label, "matricule": matricule,
            "url": reverse("portal:property", args=[pk]),
            "lon": round(point.x, 6) if point else None,
            "lat": round(point.y, 6) if point else None}
