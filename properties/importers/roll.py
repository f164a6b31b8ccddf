"""Import a MAMH roll file: upsert units by (matricule, roll year), then link them to parcels
(by lot number, else the parcel under the address point) and to address points (by civic
address). All or nothing: one transaction, rolled back on a dry run or on any error.

Units are read into chunks of COPY text (nothing per unit is kept in Python beyond a chunk); a
loader thread, on the transaction's connection, copies each chunk into a temporary staging table
and upserts and links its units with a few set-based statements while the main thread reads the
next chunk: XML reading (Python) and the database work (the server) run side by side. Every write
is guarded by IS DISTINCT FROM, so re-importing an unchanged roll rewrites no row and its
indexes. A matricule already seen (in this chunk or an earlier one) is a duplicate: the first
one wins, as if the whole file were staged at once."""
import queue
import sys
import threading
from pathlib import Path

from django.db import connection, transaction
from django.utils.translation import gettext as _

from geo.importers.report import ImportFailed, ImportReport

from .roll_xml import iter_roll

ROLL_FIELDS = ["land_value", "building_value", "total_value", "previous_total_value", "use_code",
               "year_built", "year_built_estimated", "floor_area", "dwellings", "storeys",
               "lot_area", "frontage", "reference_date"]
ADDRESS_FIELDS = ["civic_number", "civic_suffix", "civic_number_to", "street_generic",
                  "street_link", "street_name", "street_direction", "unit", "label",
                  "search_text"]

CHUNK_UNITS = 4000  # units per COPY chunk: a few MB of text
# While the loader runs, the reading thread holds the GIL; the loader needs it back after each
# statement (the default 5 ms switch interval would add 5 ms per round trip).
SWITCH_INTERVAL = 0.0005

STAGE = """
DROP TABLE IF EXISTS roll_stage, roll_seen, roll_dups;
CREATE TEMP TABLE roll_stage (
    position integer, matricule text, lots text[], addresses jsonb,
    land_value bigint, building_value bigint, total_value bigint, previous_total_value bigint,
    use_code text, year_built integer, year_built_estimated boolean, floor_area numeric,
    dwellings integer, storeys integer, lot_area numeric, frontage numeric, reference_date date,
    property_id bigint, addresses_changed boolean
);
CREATE TEMP TABLE roll_seen (matricule text PRIMARY KEY, position integer);
CREATE TEMP TABLE roll_dups (matricule text, position integer);
CREATE INDEX ON roll_dups (position)"""
# Per chunk, every join is a few thousand staged units against tables of the whole town: index
# probes (nested loops), never a scan of the town per chunk, whatever the estimates. Set for the
# import's transaction only (SET LOCAL), restored after.
PLANNER = {"enable_hashjoin": "off", "enable_mergejoin": "off"}
STAGE_COLUMNS = ["position", "matricule", "lots", "addresses", *ROLL_FIELDS]

# roll_stage holds one chunk; roll_seen the first position of every matricule read so far;
# roll_dups the later ones.
FIND_DUPLICATES = """
INSERT INTO roll_dups (matricule, position)
SELECT matricule, position FROM (
    SELECT matricule, position,
           row_number() OVER (PARTITION BY matricule ORDER BY position) AS n
    FROM roll_stage) c
WHERE n > 1
UNION
SELECT c.matricule, c.position FROM roll_stage c JOIN roll_seen s ON s.matricule = c.matricule"""
DROP_DUPLICATES = """
DELETE FROM roll_stage c USING roll_dups d WHERE d.position = c.position"""  # index probes
SEEN = "INSERT INTO roll_seen (matricule, position) SELECT matricule, position FROM roll_stage"
DUPLICATES = """
SELECT d.matricule, array_agg(d.position ORDER BY d.position)
FROM roll_dups d JOIN roll_seen s USING (matricule)
GROUP BY d.matricule, s.position ORDER BY s.position"""
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
# are the costly part). Returns how many changed: none, no address statement at all.
ATTACH_IDS = """
WITH attached AS (
UPDATE roll_stage s SET property_id = p.id,
    addresses_changed = ARRAY(SELECT e->>'label' FROM jsonb_array_elements(s.addresses) e)
        IS DISTINCT FROM (
        SELECT coalesce(array_agg(ca.label::text ORDER BY ca.id), '{}')
        FROM properties_civicaddress ca WHERE ca.property_id = p.id)
FROM properties_property p WHERE p.matricule = s.matricule
RETURNING s.addresses_changed)
SELECT count(*) FILTER (WHERE addresses_changed) FROM attached"""
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
FROM properties_property p JOIN roll_seen s ON s.matricule = p.matricule
WHERE p.parcel IS NULL AND p.address_point IS NULL"""


LINKS = (("one_lot", LINK_ONE_LOT), ("many_lots", LINK_MANY_LOTS),
         ("address", LINK_ADDRESS_POINT), ("parcel_by_point", LINK_PARCEL_BY_POINT),
         ("point_from_parcel", POINT_FROM_PARCEL))


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
            planner = cur.execute("SELECT " + ", ".join(["current_setting(%s)"] * len(PLANNER)),
                                  list(PLANNER)).fetchone()
            _set_local(cur, PLANNER)
            loader = _Loader(cur, header)
            switch_interval = sys.getswitchinterval()
            sys.setswitchinterval(min(switch_interval, SWITCH_INTERVAL))
            loader.start()
            try:
                units = _read_chunks(iter_roll(path, on_header, on_bad_unit), loader)
            except BaseException:
                loader.stop(raise_error=False)  # the reading error is the one to report
                raise
            else:
                loader.stop()
            finally:
                sys.setswitchinterval(switch_interval)
            if not header:
                raise ImportFailed(_("The roll file holds no evaluation unit."))
            duplicates = _report_duplicates(cur, report)
            report.created = loader.created
            report.updated = units - duplicates - report.created
            _report_links(cur, report, loader.links)
            cur.execute("DROP TABLE roll_stage, roll_seen, roll_dups")
            _set_local(cur, dict(zip(PLANNER, planner, strict=True)))
        report.notes.insert(0, _("Roll %(year)s of municipality %(code)s: %(n)d units read.")
                            % {"year": header["year"], "code": header["code"] or "?",
                               "n": units})
        report.committed = commit
        if not commit:
            transaction.set_rollback(True)
    return report


def _set_local(cur, settings):
    cur.execute("SELECT " + ", ".join(["set_config(%s, %s, true)"] * len(settings)),
                [v for item in settings.items() for v in item])


def _read_chunks(lines, loader) -> int:
    """Read the units (COPY lines) into chunks handed to the loader; the unit count."""
    count, chunk = 0, []
    for line in lines:
        count += 1
        chunk.append(line)
        if len(chunk) == CHUNK_UNITS:
            loader.put("".join(chunk))
            chunk = []
    if chunk:
        loader.put("".join(chunk))
    return count


class _Loader(threading.Thread):
    """Copies each chunk into roll_stage, drops the duplicates, upserts and links the units.
    The only user of the cursor until stop() returns; its first error stops the import (raised
    again in the main thread by put or stop)."""

    def __init__(self, cur, header):
        super().__init__(name="roll-loader", daemon=True)
        self.cur, self.header = cur, header
        self.chunks = queue.Queue(maxsize=1)  # memory: at most ~3 chunks of text
        self.error = None
        self.created = 0
        self.links = dict.fromkeys((name for name, _sql in LINKS), 0)

    def put(self, text):
        if self.error is None:
            self.chunks.put(text)
        if self.error is not None:
            raise self.error

    def stop(self, raise_error=True):
        self.chunks.put(None)
        self.join()
        if raise_error and self.error is not None:
            raise self.error

    def run(self):
        while (text := self.chunks.get()) is not None:
            if self.error is None:  # after an error, drain until stop()
                try:
                    self._load(text)
                except BaseException as exc:  # noqa: BLE001 - handed to the main thread
                    self.error = exc

    def _load(self, text):
        cur = self.cur
        params = {"code": self.header["code"], "year": self.header["year"]}
        cur.execute("TRUNCATE roll_stage")
        with cur.copy(f"COPY roll_stage ({', '.join(STAGE_COLUMNS)}) FROM STDIN") as copy:
            copy.write(text)
        cur.execute(FIND_DUPLICATES)
        if cur.rowcount:
            cur.execute(DROP_DUPLICATES)
        cur.execute(SEEN)
        self.created += cur.execute(COUNT_NEW).fetchone()[0]
        cur.execute(UPSERT_PROPERTIES, params)
        if cur.execute(ATTACH_IDS).fetchone()[0]:  # units whose addresses changed
            cur.execute(DELETE_ADDRESSES)
            cur.execute(INSERT_ADDRESSES)
        cur.execute(UPSERT_ROLL, params)
        for name, statement in LINKS:
            cur.execute(statement)
            self.links[name] += cur.rowcount


def _report_duplicates(cur, report) -> int:
    """Keep the first unit of each matricule; report the others."""
    dropped = 0
    for matricule, positions in cur.execute(DUPLICATES).fetchall():
        for position in positions:
            dropped += 1
            report.skip(_("unit %(n)d") % {"n": position},
                        _("matricule %(m)s appears twice in the file") % {"m": matricule})
    return dropped


def _report_links(cur, report, counts):
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
