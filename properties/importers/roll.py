"""Import a MAMH roll file: upsert units by (matricule, roll year), then link them to parcels
(by lot number, else the parcel under the address point) and to address points (by civic
address). All or nothing: one transaction, rolled back on a dry run or on any error.

Units are read into chunks of COPY text (nothing per unit is kept in Python beyond a chunk); a
loader thread, on the transaction's connection, copies each chunk into a temporary staging table
and upserts and links its units with a few set-based statements while the main thread reads the
next chunk: XML reading (Python) and the database work (the server) run side by side.

Per chunk, one statement looks each unit's property up and notes on the staging row what has to
change (lots, addresses, parcel, address point); the statements after it write only that, so
re-importing an unchanged roll rewrites no row and no index entry. A matricule already seen (in
this chunk or an earlier one) is a duplicate: the first one wins, as if the whole file were
staged at once. The links that need the whole file (the parcel under an address point, a point
inside a parcel) are made once at the end."""
import os
import queue
import sys
import threading
from pathlib import Path

from django.db import connection, transaction
from django.utils.translation import gettext as _

from core.importers.report import ImportFailed, ImportReport

from .roll_xml import iter_roll

ROLL_FIELDS = ["land_value", "building_value", "total_value", "previous_total_value", "use_code",
               "year_built", "year_built_estimated", "floor_area", "dwellings", "storeys",
               "lot_area", "frontage", "reference_date"]
ADDRESS_FIELDS = ["civic_number", "civic_suffix", "civic_number_to", "street_generic",
                  "street_link", "street_name", "street_direction", "unit", "label",
                  "search_text"]

CHUNK_UNITS = 4000  # units per COPY chunk at most: a few MB of text
# The first chunks are smaller, so the loader starts early, and so are the last ones (sized from
# the part of the file left to read), so little database work is left once the reading ends.
FIRST_CHUNK_UNITS = 500
LAST_CHUNKS = 3
# While the loader runs, the reading thread holds the GIL; the loader needs it back after each
# statement (the default 5 ms switch interval would add 5 ms per round trip).
SWITCH_INTERVAL = 0.0005

STAGE = """
DROP TABLE IF EXISTS roll_stage, roll_seen, roll_dups;
CREATE TEMP TABLE roll_stage (
    position integer, matricule text, lots text[], labels text[], search_texts text[],
    addresses text,
    land_value bigint, building_value bigint, total_value bigint, previous_total_value bigint,
    use_code text, year_built integer, year_built_estimated boolean, floor_area numeric,
    dwellings integer, storeys integer, lot_area numeric, frontage numeric, reference_date date,
    property_id bigint, property_changed boolean, addresses_changed boolean,
    parcel geometry, address_point geometry
);
CREATE TEMP TABLE roll_seen (matricule text PRIMARY KEY, position integer);
CREATE TEMP TABLE roll_dups (matricule text, position integer);
CREATE INDEX ON roll_dups (position)"""
# Per chunk, every join is a few thousand staged units against tables of the whole town: index
# probes (nested loops), never a scan of the town per chunk, whatever the estimates (a first
# import fills tables whose statistics still say they are empty). Set for the import's
# transaction only (SET LOCAL), restored after.
# (Costs made that large would also trigger JIT compilation of every statement: off too.)
PLANNER = {"enable_hashjoin": "off", "enable_mergejoin": "off", "enable_seqscan": "off",
           "jit": "off"}
# The tables the import writes. One that statistics say is empty (reltuples 0: analysed when
# it was) would be estimated at one row however many it holds or the import puts in it, and
# scanned once per staged unit: it is analysed (in the transaction, which sees its own rows)
# before the first chunk (statistics older than its rows) and after it (a first import).
WRITTEN = ["properties_property", "properties_civicaddress", "properties_rollentry"]
EMPTY_BY_STATISTICS = """
SELECT relname FROM pg_class
WHERE oid = ANY(%s::regclass[]) AND reltuples = 0 AND relpages = 0"""
STAGE_COLUMNS = ["position", "matricule", "lots", "labels", "search_texts", "addresses",
                 *ROLL_FIELDS]

# roll_stage holds one chunk; roll_seen the first position of every matricule read so far;
# roll_dups the later ones. A unit whose matricule is already in roll_seen (from this chunk or
# an earlier one) is not inserted there: fewer rows inserted than staged means duplicates.
SEEN = """
INSERT INTO roll_seen (matricule, position)
SELECT matricule, position FROM roll_stage ORDER BY position
ON CONFLICT (matricule) DO NOTHING"""
FIND_DUPLICATES = """
INSERT INTO roll_dups (matricule, position)
SELECT s.matricule, s.position FROM roll_stage s
WHERE NOT EXISTS (SELECT 1 FROM roll_seen r
                  WHERE r.matricule = s.matricule AND r.position = s.position)"""
DROP_DUPLICATES = """
DELETE FROM roll_stage c USING roll_dups d WHERE d.position = c.position"""  # index probes
DUPLICATES = """
SELECT d.matricule, array_agg(d.position ORDER BY d.position)
FROM roll_dups d JOIN roll_seen s USING (matricule)
GROUP BY d.matricule, s.position ORDER BY s.position"""
# What a staged unit (s) links to: the parcel of its lot (the union of its lots' parcels), and
# the address point of its first address that has one.
PARCEL_OF_LOTS = """CASE
    WHEN cardinality(s.lots) = 1 THEN (  -- unique btree on lot_number
        SELECT pa.geom FROM properties_parcel pa WHERE pa.lot_number = s.lots[1])
    WHEN cardinality(s.lots) > 1 THEN (
        SELECT ST_Multi(ST_Union(pa.geom)) FROM properties_parcel pa
        WHERE pa.lot_number = ANY(s.lots)) END"""
POINT_OF_ADDRESSES = """(
    SELECT ap.geom FROM unnest(s.search_texts) WITH ORDINALITY AS a(search_text, n)
    JOIN geo_addresspoint ap ON ap.search_text = a.search_text  -- btree on search_text
    ORDER BY a.n LIMIT 1)"""
# One look-up of each staged unit's property (one index probe each) notes on the stage row: its
# id; whether its lots or municipality changed; whether its addresses changed (compared by
# label, which spells every address field); and what to link it to, only where that differs
# from what the property holds (NULLIF(new, old) is NULL when nothing is to change). Units
# whose property does not exist yet keep a NULL id: they are inserted (linked as they are),
# then this same statement attaches them (it only looks at rows with no id). Returns counts.
ATTACH = f"""
WITH attached AS (
UPDATE roll_stage s SET
    property_id = p.id,
    property_changed = (p.municipality_code::text, p.lots::text[])
                       IS DISTINCT FROM (%(code)s::text, s.lots),
    addresses_changed = s.labels IS DISTINCT FROM ARRAY(
        SELECT ca.label::text FROM properties_civicaddress ca
        WHERE ca.property_id = p.id ORDER BY ca.id),
    parcel = NULLIF({PARCEL_OF_LOTS}, p.parcel),
    address_point = NULLIF({POINT_OF_ADDRESSES}, p.address_point)
FROM properties_property p
WHERE p.matricule = s.matricule AND s.property_id IS NULL
RETURNING s.property_changed, s.addresses_changed, s.parcel, s.address_point)
SELECT count(*), count(*) FILTER (WHERE property_changed),
       count(*) FILTER (WHERE addresses_changed), count(parcel), count(address_point)
FROM attached"""
INSERT_PROPERTIES = f"""
WITH inserted AS (
INSERT INTO properties_property (matricule, municipality_code, lots, parcel, address_point)
SELECT s.matricule, %(code)s, s.lots, {PARCEL_OF_LOTS}, {POINT_OF_ADDRESSES}
FROM roll_stage s WHERE s.property_id IS NULL ORDER BY s.position
ON CONFLICT (matricule) DO NOTHING
RETURNING parcel IS NOT NULL AS lot, address_point IS NOT NULL AS point)
SELECT count(*), count(*) FILTER (WHERE lot), count(*) FILTER (WHERE point) FROM inserted"""
# The units this import just inserted, when it inserted every missing one: their property has
# their lots and links, and no address yet.
ATTACH_INSERTED = """
WITH attached AS (
UPDATE roll_stage s SET property_id = p.id, property_changed = false,
    addresses_changed = cardinality(s.labels) > 0
FROM properties_property p
WHERE p.matricule = s.matricule AND s.property_id IS NULL
RETURNING s.addresses_changed)
SELECT count(*), 0, count(*) FILTER (WHERE addresses_changed), 0, 0 FROM attached"""
UPDATE_PROPERTIES = """
UPDATE properties_property p SET municipality_code = %(code)s, lots = s.lots
FROM roll_stage s WHERE p.id = s.property_id AND s.property_changed"""
# Only the addresses that changed are rewritten (GIN trigram writes are the costly part).
DELETE_ADDRESSES = """
DELETE FROM properties_civicaddress
WHERE property_id = ANY(ARRAY(SELECT property_id FROM roll_stage WHERE addresses_changed))"""
INSERT_ADDRESSES = f"""
INSERT INTO properties_civicaddress (property_id, {", ".join(ADDRESS_FIELDS)}, civic_int)
SELECT s.property_id, {", ".join(f"e.a->>'{f}'" for f in ADDRESS_FIELDS[:-2])},
       s.labels[e.n], s.search_texts[e.n],
       CASE WHEN e.a->>'civic_number' ~ '^[0-9]{{1,9}}$' THEN (e.a->>'civic_number')::integer END
FROM roll_stage s
CROSS JOIN LATERAL jsonb_array_elements(s.addresses::jsonb) WITH ORDINALITY AS e(a, n)
WHERE s.addresses_changed
ORDER BY s.position, e.n"""
UPSERT_ROLL = f"""
INSERT INTO properties_rollentry (property_id, roll_year, {", ".join(ROLL_FIELDS)})
SELECT property_id, %(year)s, {", ".join(ROLL_FIELDS)} FROM roll_stage
ON CONFLICT (property_id, roll_year) DO UPDATE
SET {", ".join(f"{f} = EXCLUDED.{f}" for f in ROLL_FIELDS)}
WHERE ({", ".join(f"properties_rollentry.{f}" for f in ROLL_FIELDS)})
      IS DISTINCT FROM ({", ".join(f"EXCLUDED.{f}" for f in ROLL_FIELDS)})"""
LINK = """
UPDATE properties_property p
SET parcel = coalesce(s.parcel, p.parcel),
    address_point = coalesce(s.address_point, p.address_point)
FROM roll_stage s
WHERE p.id = s.property_id AND (s.parcel IS NOT NULL OR s.address_point IS NOT NULL)"""

# Once every chunk is in, for the units of this file only (few rows: the GiST indexes find the
# properties with no parcel or no point, roll_seen's key says whether they are in the file).
# No lot matched: the parcel under the address point (GiST on parcel.geom).
LINK_PARCEL_BY_POINT = """
UPDATE properties_property p SET parcel = pa.geom
FROM roll_seen r, properties_parcel pa
WHERE p.matricule = r.matricule AND p.parcel IS NULL AND p.address_point IS NOT NULL
  AND ST_Covers(pa.geom, p.address_point)"""
# A parcel but no address point: a point inside the parcel, for the map marker.
POINT_FROM_PARCEL = """
UPDATE properties_property p SET address_point = ST_PointOnSurface(p.parcel)
FROM roll_seen r
WHERE p.matricule = r.matricule AND p.address_point IS NULL AND p.parcel IS NOT NULL"""
UNLINKED = """
SELECT count(*), (array_agg(p.matricule ORDER BY p.matricule))[1:20]
FROM properties_property p JOIN roll_seen r ON r.matricule = p.matricule
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

    with transaction.atomic(), open(path, "rb") as raw:
        source = _ReadCount(raw)
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
                units = _read_chunks(iter_roll(source, on_header, on_bad_unit), loader,
                                     source.fraction)
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
            _link_the_rest(cur, loader.links)
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


class _ReadCount:
    """The roll file as the XML parser reads it, counting the bytes read so far."""

    def __init__(self, raw):
        self.raw, self.read_bytes = raw, 0
        self.size = max(1, os.fstat(raw.fileno()).st_size)

    def read(self, n=-1):
        data = self.raw.read(n)
        self.read_bytes += len(data)
        return data

    def fraction(self) -> float:
        return self.read_bytes / self.size


def _read_chunks(lines, loader, fraction) -> int:
    """Read the units (COPY lines) into chunks handed to the loader; the unit count. Chunks
    grow from FIRST_CHUNK_UNITS to CHUNK_UNITS, and shrink again to about a LAST_CHUNKS-th of
    the units left (estimated from the `fraction()` of the file read so far)."""
    count, chunk, size = 0, [], min(FIRST_CHUNK_UNITS, CHUNK_UNITS)
    for line in lines:
        chunk.append(line)
        if len(chunk) >= size:
            loader.put("".join(chunk), len(chunk))
            count += len(chunk)
            chunk = []
            done = fraction()
            left = count * (1 - done) / done if done > 0 else CHUNK_UNITS
            size = max(1, min(CHUNK_UNITS, 2 * size, int(left / LAST_CHUNKS)),
                       min(CHUNK_UNITS, FIRST_CHUNK_UNITS // 2))
    if chunk:
        loader.put("".join(chunk), len(chunk))
        count += len(chunk)
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
        self.links = {"lot": 0, "address": 0, "parcel_by_point": 0, "point_from_parcel": 0}
        self.to_analyse, self.analyses_left = None, 2  # read before the first chunk

    def put(self, text, units):
        if self.error is None:
            self.chunks.put((text, units))
        if self.error is not None:
            raise self.error

    def stop(self, raise_error=True):
        self.chunks.put(None)
        self.join()
        if raise_error and self.error is not None:
            raise self.error

    def run(self):
        while (item := self.chunks.get()) is not None:
            if self.error is None:  # after an error, drain until stop()
                try:
                    self._load(*item)
                except BaseException as exc:  # noqa: BLE001 - handed to the main thread
                    self.error = exc

    def _load(self, text, units):
        cur = self.cur
        params = {"code": self.header["code"], "year": self.header["year"]}
        if self.to_analyse is None:  # before the first chunk
            self.to_analyse = [name for name, in cur.execute(EMPTY_BY_STATISTICS, [WRITTEN])]
        if self.to_analyse and self.analyses_left:  # before the first chunk, and after it
            cur.execute(f"ANALYZE {', '.join(self.to_analyse)}")
            self.analyses_left -= 1
        cur.execute("TRUNCATE roll_stage")
        with cur.copy(f"COPY roll_stage ({', '.join(STAGE_COLUMNS)}) FROM STDIN") as copy:
            copy.write(text)
        if cur.execute(SEEN).rowcount < units:  # a matricule seen before
            cur.execute(FIND_DUPLICATES)
            units -= cur.rowcount
            cur.execute(DROP_DUPLICATES)
        counts = cur.execute(ATTACH, params).fetchone()
        if counts[0] < units:  # units with no property yet
            created, parcels, points = cur.execute(INSERT_PROPERTIES, params).fetchone()
            self.created += created
            self.links["lot"] += parcels
            self.links["address"] += points
            # another transaction may have inserted some of them meanwhile: attach those fully
            new = cur.execute(ATTACH_INSERTED if created == units - counts[0] else ATTACH,
                              params).fetchone()
            counts = [a + b for a, b in zip(counts, new, strict=True)]
        _attached, properties_changed, addresses_changed, parcels, points = counts
        if properties_changed:
            cur.execute(UPDATE_PROPERTIES, params)
        if addresses_changed:
            cur.execute(DELETE_ADDRESSES)
            cur.execute(INSERT_ADDRESSES)
        cur.execute(UPSERT_ROLL, params)
        if parcels or points:
            cur.execute(LINK)
            self.links["lot"] += parcels
            self.links["address"] += points


def _link_the_rest(cur, counts):
    """The links that need the whole file in: the parcel under the address point, and a point
    inside the parcel."""
    cur.execute("ANALYZE roll_seen")  # a temporary table has no statistics otherwise
    counts["parcel_by_point"] = cur.execute(LINK_PARCEL_BY_POINT).rowcount
    counts["point_from_parcel"] = cur.execute(POINT_FROM_PARCEL).rowcount


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
    report.notes.append(_("Linked to a parcel by lot number: %(n)d") % {"n": counts["lot"]})
    report.notes.append(_("Linked to an address point by civic address: %(n)d")
                        % {"n": counts["address"]})
    report.notes.append(_("Linked to the parcel under their address point: %(n)d")
                        % {"n": counts["parcel_by_point"]})
    count, first = cur.execute(UNLINKED).fetchone()
    if count:
        report.unlinked = count
        report.notes.append(_("Not linked (no parcel with their lots, no address point with their "
                              "address): %(n)d: %(list)s") % {"n": count, "list": ", ".join(first)})
