"""Reads of the properties: the places near a property (measured from its parcel, else its
address point, nearest first; also as one SQL statement for the nearby API) and the address
search (type-ahead by civic address, over the roll and the address points, matricule or lot
number)."""
from dataclasses import dataclass

from django.conf import settings
from django.contrib.gis.db.models.functions import Transform
from django.contrib.gis.measure import D
from django.db import connection, transaction
from django.db.models import CharField, FloatField, Func
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils.translation import gettext as _

from core.bilingual import is_english
from geo.fields import wgs84_geojson
from geo.models import AddressPoint, Place, PlaceCategory

from .models import CivicAddress, Property, RollEntry, UseCode

# A roll entry's use label (UseCode.label: on an English page the English one when it is not
# empty, else the French one), read by the entries' own statement. RawSQL rather than an ORM
# Subquery: building that subquery cost about as much as the query it saves.
_USE_LABEL_SQL = ("(SELECT {label} FROM " + UseCode._meta.db_table + " u "
                  "WHERE u.code = " + RollEntry._meta.db_table + ".use_code)")
_USE_LABEL = {"en": _USE_LABEL_SQL.format(label="coalesce(nullif(u.label_en, ''), u.label_fr)"),
              "fr": _USE_LABEL_SQL.format(label="u.label_fr")}


def roll_entries():
    """Roll entries, latest year first, each with its use code's label in the page's language
    as `use_code_label` (RollEntry.use_label() in the same statement; None for a code the table
    does not have)."""
    label = RawSQL(_USE_LABEL["en" if is_english() else "fr"], [],
                   output_field=CharField())
    return RollEntry.objects.annotate(use_code_label=label).order_by("-roll_year")


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


# Where a property's proximity is measured from, in SQL (Property.location): its parcel when not
# empty, else its address point. The CTE `o` of both statements below, by the property's id.
_ORIGIN = f"""
WITH o AS (SELECT CASE WHEN ST_IsEmpty(p.parcel) IS FALSE THEN p.parcel ELSE p.address_point END
                  AS g
           FROM {Property._meta.db_table} p WHERE p.id = %(pk)s)"""

# The property page's places within %(metres)s of the property, nearest first, as nearby_places
# measures (ST_DWithin, then ST_Distance in the projected CRS), with their categories' columns:
# one statement by the property's id, the geometry never leaves the database. Loaded as Place
# instances by raw(): the ORM queryset (within, Distance, select_related) cost ~1 ms a page to
# build and load, twice its statement.
NEARBY_PLACES = _ORIGIN + f"""
SELECT pl.id, pl.category_id, pl.name, pl.address, ST_Distance(pl.geom, o.g) AS distance_m,
       c.slug AS c_slug, c.name_fr AS c_name_fr, c.name_en AS c_name_en, c.icon AS c_icon,
       c.color AS c_color, c.sort_order AS c_sort_order
FROM o
JOIN {Place._meta.db_table} pl ON ST_DWithin(pl.geom, o.g, %(metres)s)
JOIN {PlaceCategory._meta.db_table} c ON c.id = pl.category_id
ORDER BY distance_m, pl.id"""


def nearby_places_of(pk: int, metres=None) -> list:
    """nearby_places(prop, metres) for property `pk`, loaded: Place instances with `distance`
    (a Distance) and their category, without their geometry (deferred)."""
    metres = settings.GUICHET_PROXIMITY_M if metres is None else metres
    places = list(Place.objects.raw(NEARBY_PLACES, {"pk": pk, "metres": metres}))
    categories = {}
    for place in places:
        place.distance = D(m=place.distance_m)
        if place.category_id not in categories:
            categories[place.category_id] = PlaceCategory(
                id=place.category_id, slug=place.c_slug, name_fr=place.c_name_fr,
                name_en=place.c_name_en, icon=place.c_icon, color=place.c_color,
                sort_order=place.c_sort_order)
        place.category = categories[place.category_id]
    return places


# The nearby API's places within %(metres)s of a property, nearest first, from the same origin:
# one statement, the property's geometry never leaves the database. ST_DWithin on the GiST index
# of place.geom filters; ST_Distance runs on the survivors (as PlaceQuerySet.within, in SQL for
# the nearby API's hot path: building that queryset cost more than running it).
NEARBY = _ORIGIN + f"""
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


MATCH_PROPERTY = "property"  # a property record (roll unit): it has a page
MATCH_ADDRESS = "address"  # an address point with no property record yet: no page

# pg_trgm's default word-similarity threshold (0.6) rejects one-letter typos in short street
# names ("boyre" for "boyer"); 0.45 keeps them while still discarding unrelated streets.
WORD_SIMILARITY_THRESHOLD = 0.45
MAX_QUERY_LENGTH = 200


def find_properties(query: str, limit: int = 10) -> list[dict]:
    """Matches for an address, a matricule or a lot number, best first: the roll's civic
    addresses and the address points (geo.AddressPoint: OpenStreetMap's, the town's own layer)
    searched alike. A point answers with the property it belongs to (the unit the roll linked to
    it, else the one whose parcel holds it, else the roll unit with the same civic address);
    a point that belongs to none still answers, as `kind` "address": the address exists, the
    city has no property record for it (no property_id, no url), and its lon/lat can place a
    report. Two answers are never the same property, nor the same address."""
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
        # set_config(..., true) is SET LOCAL, with a bound parameter (SET takes none, which
        # server-side binding, DATABASE_PREPARE_THRESHOLD, would send as $1).
        cur.execute("SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)",
                    [str(WORD_SIMILARITY_THRESHOLD)])
        addresses = list(CivicAddress.objects.search(query, limit=limit)
                         .annotate(point=Transform("property__address_point", 4326)))
        points = _address_points(query, limit)
    # (score, roll first on a tie, normalised address, match): one ranking for both sources.
    candidates = [(getattr(a, "score", 0.0), 0, a.search_text,
                   _match(a.property_id, a.label, a.property.matricule, a.point))
                  for a in addresses]
    candidates += [(score, 1, text, match) for score, text, match in points]
    candidates.sort(key=lambda c: (-c[0], c[1]))
    texts = set()
    for _score, _source, text, match in candidates:
        if len(matches) >= limit:
            break
        if match["property_id"] is not None:
            if match["property_id"] in seen:
                continue
            seen.add(match["property_id"])
        elif text in texts:
            continue
        texts.add(text)
        matches.append(match)
    return tell_apart(matches)


def tell_apart(matches: list[dict]) -> list[dict]:
    """Each match gets a `detail` ("" for most): for answers with the same label (two units of
    one building, "92 Boulevard Cardinal-Léger" twice with two matricules), what tells them
    apart: the unit, the use on the latest roll, the matricule; in the active language."""
    for match in matches:
        match.setdefault("detail", "")
    labels = {}
    for match in matches:
        labels.setdefault(match["label"].casefold(), []).append(match)
    twins = [m for group in labels.values() if len(group) > 1 for m in group
             if m["property_id"] is not None]
    if not twins:
        return matches
    ids = [m["property_id"] for m in twins]
    units = {}
    for pk, unit in (CivicAddress.objects.filter(property_id__in=ids).exclude(unit="")
                     .order_by("pk").values_list("property_id", "unit")):
        units.setdefault(pk, unit)
    uses = {}
    for pk, code in (RollEntry.objects.filter(property_id__in=ids).exclude(use_code="")
                     .order_by("property_id", "-roll_year").values_list("property_id",
                                                                         "use_code")):
        uses.setdefault(pk, code)
    labels_of = {c.code: c.label for c in UseCode.objects.filter(code__in=set(uses.values()))}
    for match in twins:
        pk = match["property_id"]
        parts = [_("unit %(unit)s") % {"unit": units[pk]} if pk in units else "",
                 labels_of.get(uses.get(pk), ""),
                 _("matricule %(matricule)s") % {"matricule": match["matricule"]}]
        match["detail"] = ", ".join(p for p in parts if p)
    return matches


def _address_points(query, limit):
    """The address points matching `query`, as (score, search_text, match) with its property's
    match or an "address" match. The owners are looked up for the few points found only (none
    for a query that matches no point): the unit whose address point it is (`~=`, GiST), else
    the one whose parcel covers it (GiST), else a roll address with the same search_text."""
    rows = list(AddressPoint.objects.search(query, limit=limit)
                .annotate(lon=Func(Transform("geom", 4326), function="ST_X",
                                   output_field=FloatField()),
                          lat=Func(Transform("geom", 4326), function="ST_Y",
                                   output_field=FloatField()))
                .values("pk", "score", "search_text", "civic_number", "street", "lon", "lat"))
    if not rows:
        return []
    with connection.cursor() as cursor:
        cursor.execute(OWNERS, {"ids": [r["pk"] for r in rows]})
        owners = dict(cursor.fetchall())
    orphans = {r["search_text"] for r in rows if owners.get(r["pk"]) is None}
    if orphans:
        for text, pk in (CivicAddress.objects.filter(search_text__in=orphans)
                         .order_by("pk").values_list("search_text", "property_id")):
            for r in rows:
                if r["search_text"] == text and owners.get(r["pk"]) is None:
                    owners[r["pk"]] = pk
    matricules = dict(Property.objects.filter(pk__in=set(owners.values()) - {None})
                      .values_list("pk", "matricule"))
    out = []
    for r in rows:
        owner, label = owners.get(r["pk"]), f"{r['civic_number']} {r['street']}"
        point = (r["lon"], r["lat"])
        match = (_match(owner, label, matricules[owner], point) if owner
                 else _address_match(label, point))
        out.append((r["score"], r["search_text"], match))
    return out


# The property each address point belongs to: the unit whose address point it is (the roll
# linked them), else the one whose parcel covers it; both on GiST indexes.
OWNERS = f"""
SELECT ap.id, coalesce(
    (SELECT p.id FROM {Property._meta.db_table} p WHERE p.address_point ~= ap.geom
     ORDER BY p.id LIMIT 1),
    (SELECT p.id FROM {Property._meta.db_table} p WHERE ST_Covers(p.parcel, ap.geom)
     ORDER BY p.id LIMIT 1))
FROM {AddressPoint._meta.db_table} ap WHERE ap.id = ANY(%(ids)s)"""


def _match(pk, label, matricule, point):
    """`point`: a GEOS point in WGS 84, or (lon, lat), or None."""
    lon, lat = (point.x, point.y) if hasattr(point, "x") else (point or (None, None))
    return {"kind": MATCH_PROPERTY, "property_id": pk, "label": label, "detail": "",
            "matricule": matricule,
            "url": reverse("portal:property", args=[pk]),
            "lon": round(lon, 6) if lon is not None else None,
            "lat": round(lat, 6) if lat is not None else None}


def _address_match(label, point):
    """An address that exists (an address point) with no property record yet."""
    return {"kind": MATCH_ADDRESS, "property_id": None, "label": label, "detail": "",
            "matricule": None,
            "url": None, "lon": round(point[0], 6), "lat": round(point[1], 6)}


def address_labels(property_ids) -> dict[int, str]:
    """{property id: its first civic address, else its matricule}, in one read."""
    ids = set(property_ids)
    labels = dict(Property.objects.filter(pk__in=ids).values_list("pk", "matricule"))
    for pk, label in (CivicAddress.objects.filter(property_id__in=ids).order_by("-pk")
                      .values_list("property_id", "label")):
        labels[pk] = label  # the lowest pk last: the property's first address
    return labels
