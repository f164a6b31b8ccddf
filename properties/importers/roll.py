"""Import a MAMH roll file: upsert units by (matricule, roll year), then link them to parcels
(by lot number, else the parcel under the address point) and to address points (by civic
address). All or nothing: one transaction, rolled back on a dry run or on any error (a value the
database refuses fails the whole import with ImportFailed, naming the unit when it can).

Two steps, on the transaction's connection:

1. The whole file is streamed into a temporary staging table with one COPY, written as the XML
   is read (roll_xml.iter_roll gives each unit as a line of COPY text; lines are handed to
   psycopg a few thousand at a time, and nothing per unit is kept in Python: memory stays flat
   whatever the file size). The server parses the COPY while Python reads the XML.
2. The staging table is analysed once, then a few set-based statements run once over it: a
   matricule seen twice keeps its first unit (the later ones are reported as skipped, with their
   positions); one statement looks each unit's property up and notes on the staging row what has
   to change (lots, addresses, parcel, address point), and the statements after it write only
   that, so re-importing an unchanged roll rewrites no property, address or roll entry, and no
   index entry; units with no property yet are inserted with their links; roll entries are
   upserted only when different. Then the links that need the whole file: the parcel under the
   address point, a point inside the parcel; and the units left unlinked are reported.

No thread, no planner setting, no process-global state: the statements run with the session's
settings, on statistics of the staging table taken once it is full. The links are found by hash
joins over the whole stage (roll_links), not by index probes per unit, which also keeps the
statements' estimated costs low: per-unit subplans are costed high enough to switch JIT
compilation on, with inlining and optimisation (measured: 0.6 s of compilation for the look-up
of 20,000 units). The tables the import writes are not analysed: measured on the bench's first
import (20,000 units into a town emptied of its properties, its tables analysed empty; one run
each on a busy machine), analysing them made it slower (6,644 units/s against 8,578 without):
the planner sizes a table from its current pages, not from reltuples alone."""
import re
from pathlib import Path

import psycopg
from django.db import connection, transaction
from django.utils.translation import gettext as _

from core.importers.report import ImportFailed, ImportReport
from core.importers.sync import DEFAULT_MAX_SHARE
from geo.models import Territory

from .roll_xml import iter_roll

ROLL_FIELDS = ["land_value", "building_value", "total_value", "previous_total_value", "use_code",
               "year_built", "year_built_estimated", "floor_area", "dwellings", "storeys",
               "lot_area", "frontage", "reference_date"]
ADDRESS_FIELDS = ["civic_number", "civic_suffix", "civic_number_to", "street_generic",
                  "street_link", "street_name", "street_direction", "unit", "label",
                  "search_text"]

# COPY lines joined per write to psycopg (which sends them in blocks of its own): a few hundred
# kB of text at most, so memory does not grow with the file.
CHUNK_UNITS = 2000

# The roll values are staged with the types of the RollEntry columns they feed (smallint,
# numeric(12,2), ...): a value the table would refuse (an overflow) fails the COPY on its own
# line, which names the unit.
STAGE = """
DROP TABLE IF EXISTS roll_stage, roll_links;
CREATE TEMP TABLE roll_stage (
    position integer, matricule text, lots text[], labels text[], search_texts text[],
    addresses text,
    land_value bigint, building_value bigint, total_value bigint, previous_total_value bigint,
    use_code text, year_built smallint, year_built_estimated boolean, floor_area numeric(12, 2),
    dwellings integer, storeys smallint, lot_area numeric(14, 2), frontage numeric(10, 2),
    reference_date date,
    property_id bigint, property_changed boolean, addresses_changed boolean,
    parcel geometry, address_point geometry
)"""
STAGE_COLUMNS = ["position", "matricule", "lots", "labels", "search_texts", "addresses",
                 *ROLL_FIELDS]
COPY = f"COPY roll_stage ({', '.join(STAGE_COLUMNS)}) FROM STDIN"
COPY_LINE = re.compile(r"COPY roll_stage, line (\d+)")
# A matricule seen twice: its first unit (lowest position) stays, the later ones are dropped
# from the stage and returned, by the position of the first one, for the report.
DUPLICATES = """
WITH dups AS (
    SELECT matricule, array_agg(position ORDER BY position) AS positions
    FROM roll_stage GROUP BY matricule HAVING count(*) > 1),
dropped AS (
    DELETE FROM roll_stage s USING dups d
    WHERE s.matricule = d.matricule AND s.position <> d.positions[1])
SELECT matricule, positions[2:] FROM dups ORDER BY positions[1]"""
# What each staged unit links to, found for the whole stage at once (hash joins, no per-unit
# probes), one row per staged unit: the parcel of its lot (the union of its lots' parcels when
# it has several) and the address point of its first address that has one (several points may
# share an address: the first one created).
LINKS = """
CREATE TEMP TABLE roll_links AS
SELECT s.position, pa.geom AS parcel, ap.geom AS address_point
FROM roll_stage s
LEFT JOIN (
    SELECT s.position, pa.geom FROM roll_stage s
    JOIN properties_parcel pa ON pa.lot_number = s.lots[1]
    WHERE cardinality(s.lots) = 1
    UNION ALL
    SELECT s.position, ST_Multi(ST_Union(pa.geom)) FROM roll_stage s
    CROSS JOIN unnest(s.lots) AS l(lot)
    JOIN properties_parcel pa ON pa.lot_number = l.lot
    WHERE cardinality(s.lots) > 1
    GROUP BY s.position) pa ON pa.position = s.position
LEFT JOIN (
    SELECT DISTINCT ON (s.position) s.position, ap.geom
    FROM roll_stage s
    CROSS JOIN unnest(s.search_texts) WITH ORDINALITY AS a(search_text, n)
    JOIN geo_addresspoint ap ON ap.search_text = a.search_text
    ORDER BY s.position, a.n, ap.id) ap ON ap.position = s.position"""
# One look-up of the staged units' properties notes on each stage row: its property's id;
# whether its lots or municipality changed; whether its addresses changed (compared by label,
# which spells every address field); and what to link it to, only where that differs from what
# the property holds (NULLIF(new, old) is NULL when nothing is to change). Units whose property
# does not exist yet keep a NULL id: they are inserted (with their links), then attached.
# Returns counts.
ATTACH = """
WITH attached AS (
UPDATE roll_stage s SET
    property_id = p.id,
    property_changed = (p.municipality_code::text, p.lots::text[])
                       IS DISTINCT FROM (%(code)s::text, s.lots),
    addresses_changed = s.labels IS DISTINCT FROM coalesce(ca.labels, '{}'),
    parcel = NULLIF(l.parcel, p.parcel),
    address_point = NULLIF(l.address_point, p.address_point)
FROM properties_property p
LEFT JOIN (SELECT property_id, array_agg(label::text ORDER BY id) AS labels
           FROM properties_civicaddress GROUP BY property_id) ca ON ca.property_id = p.id,
     roll_links l
WHERE p.matricule = s.matricule AND l.position = s.position AND s.property_id IS NULL
RETURNING s.property_changed, s.addresses_changed, s.parcel, s.address_point)
SELECT count(*), count(*) FILTER (WHERE property_changed),
       count(*) FILTER (WHERE addresses_changed), count(parcel), count(address_point)
FROM attached"""
INSERT_PROPERTIES = """
WITH inserted AS (
INSERT INTO properties_property (matricule, municipality_code, lots, parcel, address_point)
SELECT s.matricule, %(code)s, s.lots, l.parcel, l.address_point
FROM roll_stage s JOIN roll_links l ON l.position = s.position
WHERE s.property_id IS NULL ORDER BY s.position
ON CONFLICT (matricule) DO NOTHING
RETURNING parcel IS NOT NULL AS lot, address_point IS NOT NULL AS point)
SELECT count(*), count(*) FILTER (WHERE lot), count(*) FILTER (WHERE point) FROM inserted"""
# The units this import just inserted, when it inserted every missing one: their property has
# their lots and links, and no address yet. (When another transaction inserted some of them
# meanwhile, ATTACH looks those up fully.)
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

# The links that need every unit in, for the units of this file only.
# No lot matched: the parcel under the address point (GiST on parcel.geom).
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
# Retiring: the units of this municipality's current roll that the file no longer holds
# (demolished, merged, renumbered). Their property is kept, with its history, links and
# requests, and marked with the first roll year that no longer lists it; a unit listed again
# is current again. Only a roll at least as recent as the latest one loaded retires.
LATEST_YEAR = """
SELECT max(re.roll_year), count(DISTINCT p.id) FILTER (WHERE p.retired_roll_year IS NULL)
FROM properties_property p LEFT JOIN properties_rollentry re ON re.property_id = p.id
WHERE p.municipality_code = %(code)s"""
STALE = """
SELECT p.id, p.matricule FROM properties_property p
WHERE p.municipality_code = %(code)s AND p.retired_roll_year IS NULL
  AND NOT EXISTS (SELECT 1 FROM roll_stage s WHERE s.matricule = p.matricule)
ORDER BY p.matricule"""
RETIRE = "UPDATE properties_property SET retired_roll_year = %(year)s WHERE id = ANY(%(ids)s)"
UNRETIRE = """
UPDATE properties_property p SET retired_roll_year = NULL
FROM roll_stage s WHERE p.id = s.property_id AND p.retired_roll_year IS NOT NULL"""
UNLINKED = """
SELECT count(*), (array_agg(p.matricule ORDER BY p.matricule))[1:20]
FROM properties_property p JOIN roll_stage s ON s.property_id = p.id
WHERE p.parcel IS NULL AND p.address_point IS NULL"""


def import_roll(path, *, commit: bool = False, force: bool = False,
                max_share: float = DEFAULT_MAX_SHARE) -> ImportReport:
    path = Path(path)
    if not path.exists():
        raise ImportFailed(_("File not found: %(path)s") % {"path": path})
    if path.stat().st_size == 0:
        raise ImportFailed(_("The file %(name)s is empty.") % {"name": path.name})
    report = ImportReport()
    header = {}
    bad = []  # positions of the units that could not be read (not staged): few

    territory = Territory.objects.current()  # read before the COPY holds the connection

    def on_header(code, year):
        _check_municipality(code, territory)
        header.update(code=code, year=year)

    def on_bad_unit(position, reason):
        bad.append(position)
        report.skip(_("unit %(n)d") % {"n": position}, reason)

    with transaction.atomic(), open(path, "rb") as raw:
        connection.ensure_connection()
        with connection.connection.cursor() as cur:  # psycopg's own cursor, for COPY
            try:
                cur.execute(STAGE)
                units = _stage(cur, iter_roll(raw, on_header, on_bad_unit))
                if not header:
                    raise ImportFailed(_("The roll file holds no evaluation unit."))
                _write(cur, report, units, {"code": header["code"], "year": header["year"]},
                       force=force, max_share=max_share)
                cur.execute("DROP TABLE roll_stage, roll_links")
            except psycopg.Error as exc:
                raise ImportFailed(_refused(exc, bad)) from exc
        report.notes.insert(0, _("Roll %(year)s of municipality %(code)s: %(n)d units read.")
                            % {"year": header["year"], "code": header["code"] or "?",
                               "n": units})
        report.committed = commit
        if not commit:
            transaction.set_rollback(True)
    return report


def _check_municipality(code, territory):
    """A roll names its municipality (RLM01A); when the territory loaded has a geographic code,
    it must be that one (the matricules of another town's roll would overwrite this town's)."""
    if not code:
        raise ImportFailed(_("The roll file does not name its municipality (RLM01A, the MAMH "
                             "geographic code, is missing or empty): export the roll again. "
                             "Nothing was saved."))
    if territory is not None and territory.code and territory.code != code:
        raise ImportFailed(_("This roll is the one of municipality %(code)s (RLM01A), not of "
                             "%(name)s (%(territory_code)s): check that it is the right file. "
                             "Nothing was saved.")
                           % {"code": code, "name": territory.name,
                              "territory_code": territory.code})


def _stage(cur, lines) -> int:
    """Copy the units' COPY lines into roll_stage as they are read; the count of lines."""
    count, chunk = 0, []
    with cur.copy(COPY) as copy:
        for line in lines:
            chunk.append(line)
            if len(chunk) >= CHUNK_UNITS:
                copy.write("".join(chunk))
                count += len(chunk)
                chunk = []
        if chunk:
            copy.write("".join(chunk))
            count += len(chunk)
    return count


def _write(cur, report, units, params, *, force, max_share):
    """The set-based statements, once over the whole staging table."""
    cur.execute("ANALYZE roll_stage")  # a temporary table has no statistics otherwise
    units -= _drop_duplicates(cur, report)
    latest_year, current = cur.execute(LATEST_YEAR, params).fetchone()
    cur.execute(LINKS)
    links = {"lot": 0, "address": 0}
    counts = cur.execute(ATTACH, params).fetchone()
    changed = counts[1] + counts[2]  # existing units whose lots or addresses change
    if counts[0] < units:  # units with no property yet
        created, parcels, points = cur.execute(INSERT_PROPERTIES, params).fetchone()
        report.created = created
        links["lot"] += parcels
        links["address"] += points
        new = cur.execute(ATTACH_INSERTED if created == units - counts[0] else ATTACH,
                          params).fetchone()
        counts = [a + b for a, b in zip(counts, new, strict=True)]
    report.updated = units - report.created
    _attached, properties_changed, addresses_changed, parcels, points = counts
    if properties_changed:
        cur.execute(UPDATE_PROPERTIES, params)
    if addresses_changed:
        cur.execute(DELETE_ADDRESSES)
        cur.execute(INSERT_ADDRESSES)
    cur.execute(UPSERT_ROLL, params)
    if parcels or points:
        cur.execute(LINK)
        links["lot"] += parcels
        links["address"] += points
    parcel_by_point = cur.execute(LINK_PARCEL_BY_POINT).rowcount
    cur.execute(POINT_FROM_PARCEL)
    _report_links(cur, report, links, parcel_by_point)
    if latest_year is None or params["year"] >= latest_year:
        _retire(cur, report, params, current, changed, force=force, max_share=max_share)
    else:
        report.notes.append(_("An older roll (%(year)s) than the latest one loaded (%(latest)s): "
                              "no unit was retired.") % {"year": params["year"],
                                                        "latest": latest_year})


def _retire(cur, report, params, current, changed, *, force, max_share):
    """Units of the current roll that the file no longer holds: refused above `max_share` of
    the current units (with the units whose lots or addresses change) unless `force`; else
    marked retired from this roll year, and reported."""
    stale = cur.execute(STALE, params).fetchall()
    share = (len(stale) + changed) / current if current else 0.0
    if current and share > max_share and not force:
        raise ImportFailed(_(
            "This roll would retire %(stale)d and change %(changed)d of the %(total)d units "
            "of the current roll (%(share)d %%, more than %(max)d %%): a partial export or the "
            "roll of another year? Check the file; if it is right (a reform of the matricules, "
            "a merger), run the command again with --force. Nothing was saved.") % {
            "stale": len(stale), "changed": changed, "total": current,
            "share": round(share * 100), "max": round(max_share * 100)})
    cur.execute(UNRETIRE)
    if stale:
        cur.execute(RETIRE, {"year": params["year"], "ids": [pk for pk, _m in stale]})
        report.retired = len(stale)
        shown = ", ".join(m for _pk, m in stale[:20]) + (" …" if len(stale) > 20 else "")
        report.notes.append(_("No longer on the roll (kept, marked retired from %(year)s): "
                              "%(n)d: %(list)s") % {"year": params["year"], "n": len(stale),
                                                    "list": shown})


def _drop_duplicates(cur, report) -> int:
    """Keep the first unit of each matricule; report the others. The count dropped."""
    dropped = 0
    for matricule, positions in cur.execute(DUPLICATES).fetchall():
        for position in positions:
            dropped += 1
            report.skip(_("unit %(n)d") % {"n": position},
                        _("matricule %(m)s appears twice in the file") % {"m": matricule})
    return dropped


def _refused(exc, bad) -> str:
    """The user's message for a database error: PostgreSQL's own words, and the unit when the
    COPY names its line (the n-th unit staged: bad units were not staged)."""
    diag = exc.diag
    reason = diag.message_primary or str(exc).strip()
    if diag.message_detail:
        reason += f" ({diag.message_detail})"
    found = COPY_LINE.search(diag.context or "")
    if found:
        position = int(found.group(1))
        for skipped in sorted(bad):  # the n-th position that is not a bad unit
            if skipped <= position:
                position += 1
        return (_("The database refused unit %(n)d of the roll file: %(reason)s. Nothing was "
                  "saved.") % {"n": position, "reason": reason})
    return _("The database refused the roll file: %(reason)s. Nothing was saved.") % {
        "reason": reason}


def _report_links(cur, report, links, parcel_by_point):
    report.notes.append(_("Linked to a parcel by lot number: %(n)d") % {"n": links["lot"]})
    report.notes.append(_("Linked to an address point by civic address: %(n)d")
                        % {"n": links["address"]})
    report.notes.append(_("Linked to the parcel under their address point: %(n)d")
                        % {"n": parcel_by_point})
    count, first = cur.execute(UNLINKED).fetchone()
    if count:
        report.unlinked = count
        report.notes.append(_("Not linked (no parcel with their lots, no address point with their "
                              "address): %(n)d: %(list)s") % {"n": count, "list": ", ".join(first)})
