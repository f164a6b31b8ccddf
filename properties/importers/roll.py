"""Import a MAMH roll file: upsert units by (matricule, roll year), then link them to parcels
(by lot number, else the parcel under the address point) and to address points (by civic
address). All or nothing: one transaction, rolled back on a dry run or on any error.

Units stream from the parser straight into a temporary staging table through COPY (nothing per
unit is kept in Python), then a few set-based statements upsert them. Every write is guarded by
IS DISTINCT FROM, so re-importing an unchanged roll rewrites no row and its indexes."""
import json
from functools import lru_cache
from pathlib import Path

from django.db import connection, transaction
from django.utils.translation import gettext as _

from geo.addresses import normalize
from geo.importers.report import ImportFailed, ImportReport

from .roll_xml import iter_roll

ROLL_FIELDS = ["land_value", "building_value", "total_value", "previous_total_value", "use_code",
               "year_built", "year_built_estimated", "floor_area", "dwellings", "storeys",
               "lot_area", "frontage", "reference_date"]
ADDRESS_FIELDS = ["civic_number", "civic_suffix", "civic_number_to", "street_generic",
                  "street_link", "street_name", "street_direction", "unit", "label",
                  "search_text"]

STAGE = """
DROP TABLE IF EXISTS roll_stage;
CREATE TEMP TABLE roll_stage (
    position integer, matricule text, lots text[], addresses jsonb,
    land_value bigint, building_value bigint, total_value bigint, previous_total_value bigint,
    use_code text, year_built integer, year_built_estimated boolean, floor_area numeric,
    dwellings integer, storeys integer, lot_area numeric, frontage numeric, reference_date date
)"""
STAGE_COLUMNS = ["position", "matricule", "lots", "addresses", *ROLL_FIELDS]

DUPLICATES = """
SELECT matricule, array_agg(position ORDER BY position) FROM roll_stage
GROUP BY matricule HAVING count(*) > 1 ORDER BY min(position)"""
DROP_DUPLICATES = """
DELETE FROM roll_stage a USING roll_stage b
WHERE a.matricule = b.matricule AND a.position > b.position"""
PREPARE_STAGE = "CREATE INDEX ON roll_stage (matricule); ANALYZE roll_stage"
COUNT_NEW = """
SELECT count(*) FROM roll_stage s
WHERE NOT EXISTS (SELECT 1 FROM properties_property p WHERE p.matricule = s.matricule)"""
UPSERT_PROPERTIES = """
INSERT INTO properties_property (matricule, municipality_code, lots)
SELECT matricule, %(code)s, lots FROM roll_stage
ON CONFLICT (matricule) DO UPDATE
SET municipality_code = EXCLUDED.municipality_code, lots = EXCLUDED.lots
WHERE (properties_property.municipality_code, properties_property.lots)
      IS DISTINCT FROM (EXCLUDED.municipality_code, EXCLUDED.lots)"""
# The stage row's property id, and whether its addresses differ from the stored ones (compared
# by label, which spells every address field): only those are rewritten (GIN trigram writes
# are the costly part).
ATTACH_IDS = """
ALTER TABLE roll_stage ADD COLUMN property_id bigint, ADD COLUMN addresses_changed boolean;
UPDATE roll_stage s SET property_id = p.id,
    addresses_changed = ARRAY(SELECT e->>'label' FROM jsonb_array_elements(s.addresses) e)
        IS DISTINCT FROM (
        SELECT coalesce(array_agg(ca.label::text ORDER BY ca.id), '{}')
        FROM properties_civicaddress ca WHERE ca.property_id = p.id)
FROM properties_property p WHERE p.matricule = s.matricule;
CREATE INDEX ON roll_stage (property_id)"""
DELETE_ADDRESSES = """
DELETE FROM properties_civicaddress ca USING roll_stage s
WHERE ca.property_id = s.property_id AND s.addresses_changed"""
INSERT_ADDRESSES = f"""
INSERT INTO properties_civicaddress (property_id, {", ".join(ADDRESS_FIELDS)}, civic_int)
SELECT s.property_id, {", ".join(f"e.a->>'{f}'" for f in ADDRESS_FIELDS)},
       CASE WHEN e.a->>'civic_number' ~ '^[0-9]{{1,9}}$' THEN (e.a->>'civic_number')::integer END
FROM roll_stage s
CROSS JOIN LATERAL jsonb_array_elements(s.addresses) WITH ORDINALITY AS e(a, n)
WHERE s.addresses_changed
ORDER BY s.position, e.n"""
UPSERT_ROLL = f"""
INSERT INTO properties_rollentry (property_id, roll_year, {", ".join(ROLL_FIELDS)})
SELECT property_id, %(year)s, {", ".join(ROLL_FIELDS)} FROM roll_stage
ON CONFLICT (property_id, roll_year) DO UPDATE
SET {", ".join(f"{f} = EXCLUDED.{f}" for f in ROLL_FIELDS)}
WHERE ({", ".join(f"properties_rollentry.{f}" for f in ROLL_FIELDS)})
      IS DISTINCT FROM ({", ".join(f"EXCLUDED.{f}" for f in ROLL_FIELDS)})"""

# Linking, for the units of this file only.
LINK_ONE_LOT = """
UPDATE properties_property p SET parcel = pa.geom
FROM roll_stage s
JOIN properties_parcel pa ON pa.lot_number = s.lots[1]  -- unique btree on lot_number
WHERE p.id = s.property_id AND cardinality(s.lots) = 1 AND p.parcel IS DISTINCT FROM pa.geom"""
LINK_MANY_LOTS = """
UPDATE properties_property p SET parcel = sub.geom
FROM (
    SELECT s.property_id, ST_Multi(ST_Union(pa.geom)) AS geom
    FROM roll_stage s JOIN properties_parcel pa ON pa.lot_number = ANY(s.lots)
    WHERE cardinality(s.lots) > 1
    GROUP BY s.property_id
) sub
WHERE p.id = sub.property_id AND p.parcel IS DISTINCT FROM sub.geom"""
LINK_ADDRESS_POINT = """
UPDATE properties_property p SET address_point = sub.geom
FROM (
    SELECT DISTINCT ON (ca.property_id) ca.property_id, ap.geom
    FROM roll_stage s
    JOIN properties_civicaddress ca ON ca.property_id = s.property_id
    JOIN geo_addresspoint ap ON ap.search_text = ca.search_text  -- btree on search_text
    ORDER BY ca.property_id, ca.id
) sub
WHERE p.id = sub.property_id AND p.address_point IS DISTINCT FROM sub.geom"""
# No lot matched: take the parcel under the address point (GiST on parcel.geom).
LINK_PARCEL_BY_POINT = """
UPDATE properties_property p SET parcel = pa.geom
FROM roll_stage s, properties_parcel pa
WHERE p.id = s.property_id AND p.parcel IS NULL AND p.address_point IS NOT NULL
  AND ST_Covers(pa.geom, p.address_point)"""
# A parcel but no address point: a point inside the parcel, for the map marker.
POINT_FROM_PARCEL = """
UPDATE properties_property p SET address_point = ST_PointOnSurface(p.parcel)
FROM roll_stage s
WHERE p.id = s.property_id AND p.address_point IS NULL AND p.parcel IS NOT NULL"""
UNLINKED = """
SELECT count(*), (array_agg(p.matricule ORDER BY p.matricule))[1:20]
FROM properties_property p JOIN roll_stage s ON s.property_id = p.id
WHERE p.parcel IS NULL AND p.address_point IS NULL"""


def import_roll(path, *, commit: bool = False) -> ImportReport:
    path = Path(path)
    if not path.exists():
        raise ImportFailed(_("File not found: %(path)s") % {"path": path})
    if path.stat().st_size == 0:
        raise ImportFailed(_("The file %(name)s is empty.") % {"name": path.name})
    report = ImportReport()
    header = {}

    def on_header(code, year):
        header.update(code=code, year=year)

    def on_bad_unit(position, reason):
        report.skip(_("unit %(n)d") % {"n": position}, reason)

    with transaction.atomic():
        connection.ensure_connection()
        with connection.connection.cursor() as cur:  # psycopg's own cursor, for COPY
            cur.execute(STAGE)
            units = _copy_units(cur, iter_roll(path, on_header, on_bad_unit))
            if not header:
                raise ImportFailed(_("The roll file holds no evaluation unit."))
            params = {"code": header["code"], "year": header["year"]}
            duplicates = _drop_duplicates(cur, report)
            cur.execute(PREPARE_STAGE)
            report.created = cur.execute(COUNT_NEW).fetchone()[0]
            report.updated = units - duplicates - report.created
            for statement in (UPSERT_PROPERTIES, ATTACH_IDS, DELETE_ADDRESSES, INSERT_ADDRESSES,
                              UPSERT_ROLL):
                cur.execute(statement, params)
            _link(cur, report)
            cur.execute("DROP TABLE roll_stage")
        report.notes.insert(0, _("Roll %(year)s of municipality %(code)s: %(n)d units read.")
                            % {"year": header["year"], "code": header["code"] or "?",
                               "n": units})
        report.committed = commit
        if not commit:
            transaction.set_rollback(True)
    return report


# A town has a few hundred street names and hundreds of thousands of addresses.
_normalize_street = lru_cache(maxsize=65536)(normalize)


def _copy_units(cur, units) -> int:
    """Stream the units into roll_stage. Values go as text (the cheapest COPY adaptation):
    the reader validated numbers and dates; the lots, all digits, go as an array literal."""
    count = 0
    with cur.copy(f"COPY roll_stage ({', '.join(STAGE_COLUMNS)}) FROM STDIN") as copy:
        for unit in units:
            count += 1
            addresses = [{"civic_number": a.civic_number, "civic_suffix": a.civic_suffix,
                          "civic_number_to": a.civic_number_to,
                          "street_generic": a.street_generic, "street_link": a.street_link,
                          "street_name": a.street_name, "street_direction": a.street_direction,
                          "unit": a.unit, "label": a.label,
                          # == normalize(f"{number} {street}"): normalize works word by word
                          "search_text": f"{normalize(a.civic_number)} "
                                         f"{_normalize_street(a.street_label)}".strip()}
                         for a in unit.addresses]
            copy.write_row((unit.position, unit.matricule, "{" + ",".join(unit.lots) + "}",
                            json.dumps(addresses, ensure_ascii=False),
                            *(unit.values[f] for f in ROLL_FIELDS)))
    return count


def _drop_duplicates(cur, report) -> int:
    """Keep the first unit of each matricule; report the others."""
    dropped = 0
    for matricule, positions in cur.execute(DUPLICATES).fetchall():
        for position in positions[1:]:
            dropped += 1
            report.skip(_("unit %(n)d") % {"n": position},
                        _("matricule %(m)s appears twice in the file") % {"m": matricule})
    cur.execute(DROP_DUPLICATES)
    return dropped


def _link(cur, report):
    counts = {}
    for name, statement in (("one_lot", LINK_ONE_LOT), ("many_lots", LINK_MANY_LOTS),
                            ("address", LINK_ADDRESS_POINT),
                            ("parcel_by_point", LINK_PARCEL_BY_POINT),
                            ("point_from_parcel", POINT_FROM_PARCEL)):
        cur.execute(statement)
        counts[name] = cur.rowcount
    report.notes.append(_("Linked to a parcel by lot number: %(n)d")
                        % {"n": counts["one_lot"] + counts["many_lots"]})
    report.notes.append(_("Linked to an address point by civic address: %(n)d")
                        % {"n": counts["address"]})
    report.notes.append(_("Linked to the parcel under their address point: %(n)d")
                        % {"n": counts["parcel_by_point"]})
    count, first = cur.execute(UNLINKED).fetchone()
    if count:
        report.unlinked = count
        report.notes.append(_("Not linked (no parcel with their lots, no address point with their "
                              "address): %(n)d: %(list)s") % {"n": count, "list": ", ".join(first)})
