"""A SYNTHETIC town of N properties in the bench database, written with set-based SQL
(generate_series in PostGIS, one INSERT ... SELECT per table), not the ORM.

Layout, in EPSG:32188 metres around Pincourt (data/pincourt: x ~ 266,000, y ~ 5,027,000):
lots are 20 m (frontage, x) by 30 m (depth, y); a block is 10 x 2 lots (200 m x 60 m); 15 m
streets run between blocks both ways (block pitch 215 m x 75 m); blocks fill a roughly square
town. Lot i has one Parcel, one Property (with its parcel and address point), one CivicAddress,
one AddressPoint and one RollEntry (roll year 2025). Places (one per 30 properties, all the
PlaceCategory slugs) are scattered uniformly: points, and rectangles of 30-150 m for parks, fields
and schools. Seeded: the same N gives the same town.

`lot(i, layout)` is the Python twin of the SQL below; roll_import.py writes the XML roll of the
same town from it, and `build` checks that both agree."""
import math
import time
from dataclasses import dataclass

import benchdb
import psycopg

from geo.addresses import normalize

SRID = 32188
CENTRE = (266_700.0, 5_027_000.0)  # Pincourt, EPSG:32188
LOT_W, LOT_D, PER_ROW, STREET = 20, 30, 10, 15
PITCH_X, PITCH_Y = PER_ROW * LOT_W + STREET, 2 * LOT_D + STREET  # 215 m, 75 m
LOTS_PER_BLOCK = 2 * PER_ROW
MUNICIPALITY_CODE = "99001"
CITY = "Ville synthétique"
ROLL_YEAR = 2025
PROPERTIES_PER_PLACE = 30
NAMES = [("des", "Érables"), ("du", "Lac"), ("de la", "Rivière"), ("", "Cardinal-Léger"),
         ("des", "Pins"), ("du", "Traversier"), ("de l'", "Île"), ("", "Saint-Jean"),
         ("des", "Cèdres"), ("", "Duhamel"), ("de la", "Montagne"), ("des", "Ormes"),
         ("", "Sainte-Anne"), ("du", "Moulin"), ("des", "Bouleaux"), ("", "Marie-Victorin"),
         ("de la", "Gare"), ("des", "Lilas"), ("", "Olympique"), ("du", "Parc"),
         ("", "Beaulac"), ("des", "Merles"), ("de la", "Chapelle"), ("", "Forest"),
         ("des", "Hirondelles"), ("", "Louis-Riel"), ("du", "Golf"), ("des", "Tilleuls"),
         ("", "Bellevue"), ("de la", "Pointe"), ("des", "Saules"), ("", "Champlain"),
         ("du", "Boisé"), ("des", "Chênes"), ("", "Laurier"), ("de la", "Baie"),
         ("des", "Pruches"), ("", "Lévesque"), ("du", "Ruisseau"), ("des", "Geais")]
GENERICS = ["rue", "avenue", "boulevard", "croissant", "place", "chemin"]
# (slug, weight, polygon?) - a town has many bus stops and parks, one town hall.
PLACE_MIX = [("transit", 8, False), ("park", 4, True), ("playground", 3, True),
             ("sports-field", 3, True), ("childcare", 2, False), ("health", 2, False),
             ("school", 2, True), ("pharmacy", 1, False), ("library", 1, False),
             ("community-centre", 1, False), ("post-office", 1, False), ("arena", 1, True),
             ("pool", 1, False), ("sports-centre", 1, False), ("fire-station", 1, False),
             ("police", 1, False), ("town-hall", 1, False), ("dog-park", 1, True)]


@dataclass(frozen=True)
class Layout:
    n: int
    blocks_x: int
    blocks_y: int
    x0: float
    y0: float

    @property
    def streets(self) -> int:  # horizontal streets: one below each block row, one above the last
        return self.blocks_y + 1


def layout(n: int) -> Layout:
    blocks = math.ceil(n / LOTS_PER_BLOCK)
    bx = max(1, round(math.sqrt(blocks * PITCH_Y / PITCH_X)))
    by = math.ceil(blocks / bx)
    return Layout(n, bx, by, CENTRE[0] - bx * PITCH_X / 2, CENTRE[1] - by * PITCH_Y / 2)


def street(h: int) -> dict:
    link, name = NAMES[h % len(NAMES)]
    generic = GENERICS[(h // len(NAMES)) % len(GENERICS)]
    cycle = h // (len(NAMES) * len(GENERICS))
    if cycle:
        name = f"{name} {cycle + 1}"
    label = " ".join(p for p in (generic, link, name) if p).replace("' ", "'")
    return {"h": h, "generic": generic, "link": link, "name": name, "label": label,
            "norm": normalize(label)}


def lot(i: int, lay: Layout) -> dict:
    """Everything the town knows about lot i (mirrors LOTS_SQL)."""
    block, k = divmod(i, LOTS_PER_BLOCK)
    by, bx = divmod(block, lay.blocks_x)
    r, c = divmod(k, PER_ROW)
    return {
        "x": lay.x0 + bx * PITCH_X + c * LOT_W, "y": lay.y0 + by * PITCH_Y + r * LOT_D,
        "h": by + r,  # the bottom row faces the street below, the top row the one above
        "civic": 10 + 2 * (bx * PER_ROW + c) + r,  # even on one side of a street, odd the other
        "lot": str(3_000_000 + i),
        "matricule": (f"{8000 + i // 1_000_000:04d}", f"{i // 10_000 % 100:02d}",
                      f"{i % 10_000:04d}", str(i * 7 % 10)),
    }


LOTS_SQL = """
CREATE TEMP TABLE bench_lot ON COMMIT DROP AS
SELECT i, i + 1 AS id, x, y, by + r AS h, 10 + 2 * (bx * %(per_row)s + c) + r AS civic,
       (3000000 + i)::text AS lot,
       format('%%s-%%s-%%s-%%s-000-0000', lpad((8000 + i / 1000000)::text, 4, '0'),
              lpad((i / 10000 %% 100)::text, 2, '0'), lpad((i %% 10000)::text, 4, '0'),
              i * 7 %% 10) AS matricule
FROM (
    SELECT i, bx, by, r, c,
           %(x0)s + bx * %(px)s + c * %(lw)s AS x, %(y0)s + by * %(py)s + r * %(ld)s AS y
    FROM (SELECT i, (i / %(per_block)s) %% %(bx)s AS bx, (i / %(per_block)s) / %(bx)s AS by,
                 (i %% %(per_block)s) / %(per_row)s AS r, i %% %(per_row)s AS c
          FROM generate_series(0, %(n)s - 1) AS i) grid
) placed
"""
TABLES = ["properties_rollentry", "properties_civicaddress", "properties_property",
          "properties_parcel", "geo_place", "geo_street", "geo_addresspoint", "geo_territory"]
FILL_SQL = [
    ("parcels", """
INSERT INTO properties_parcel (lot_number, geom, source)
SELECT lot, ST_Multi(ST_MakeEnvelope(x, y, x + %(lw)s, y + %(ld)s, %(srid)s)), 'bench'
FROM bench_lot ORDER BY i"""),
    ("properties", """
INSERT INTO properties_property (id, matricule, municipality_code, lots, parcel, address_point)
SELECT id, matricule, %(code)s, ARRAY[lot],
       ST_Multi(ST_MakeEnvelope(x, y, x + %(lw)s, y + %(ld)s, %(srid)s)),
       ST_SetSRID(ST_MakePoint(x + %(lw)s / 2.0, y + %(ld)s / 2.0), %(srid)s)
FROM bench_lot ORDER BY i"""),
    ("civic addresses", """
INSERT INTO properties_civicaddress (property_id, civic_number, civic_suffix, civic_number_to,
    street_generic, street_link, street_name, street_direction, unit, label, search_text,
    civic_int)
SELECT l.id, l.civic::text, '', '', s.generic, s.link, s.name, '', '', l.civic || ' ' || s.label,
       l.civic || ' ' || s.norm, l.civic
FROM bench_lot l JOIN bench_street s ON s.h = l.h ORDER BY l.i"""),
    ("address points", """
INSERT INTO geo_addresspoint (civic_number, street, city, search_text, geom, source,
    source_id)
SELECT l.civic::text, s.label, %(city)s, l.civic || ' ' || s.norm,
       ST_SetSRID(ST_MakePoint(l.x + %(lw)s / 2.0, l.y + %(ld)s / 2.0), %(srid)s), 'bench',
       'bench-' || l.i
FROM bench_lot l JOIN bench_street s ON s.h = l.h ORDER BY l.i"""),
    ("roll entries", """
INSERT INTO properties_rollentry (property_id, roll_year, land_value, building_value, total_value,
    previous_total_value, use_code, year_built, year_built_estimated, floor_area, dwellings,
    storeys, lot_area, frontage, reference_date)
SELECT id, %(year)s, land, building, land + building, NULL, '1000', built, built < 1950,
       floor, 1 + (i %% 4 = 0)::int, 1 + (i %% 3 = 0)::int, %(lw)s * %(ld)s, %(lw)s,
       DATE '2023-07-01'
FROM (SELECT id, i, round((600 * (80 + random() * 40))::numeric, -2)::bigint AS land,
             round(((100 + random() * 120) * 2000)::numeric, -2)::bigint AS building,
             1940 + (random() * 84)::int AS built, round((90 + random() * 110)::numeric, 1) AS floor
      FROM bench_lot) v ORDER BY i"""),
    ("streets", """
INSERT INTO geo_street (name, kind, geom, source, source_id)
SELECT s.label, 'residential',
       ST_SetSRID(ST_Multi(ST_MakeLine(ST_MakePoint(%(x0)s - %(sw)s, y),
                                       ST_MakePoint(%(x1)s, y))), %(srid)s), 'bench',
       'bench-h-' || s.h
FROM (SELECT h, label, %(y0)s + h * %(py)s - %(sw)s / 2.0 AS y FROM bench_street) s
UNION ALL
SELECT v || 'e Avenue', 'residential',
       ST_SetSRID(ST_Multi(ST_MakeLine(ST_MakePoint(x, %(y0)s - %(sw)s),
                                       ST_MakePoint(x, %(y1)s))), %(srid)s), 'bench',
       'bench-v-' || v
FROM (SELECT v, %(x0)s + v * %(px)s - %(sw)s / 2.0 AS x
      FROM generate_series(0, %(blocks_x)s) AS v) a"""),
    ("places", """
INSERT INTO geo_place (category_id, name, address, geom, source, source_id)
SELECT c.id, c.name_fr || ' ' || p.g, '',
       CASE WHEN p.polygon
            THEN ST_MakeEnvelope(p.x - p.w, p.y - p.d, p.x + p.w, p.y + p.d, %(srid)s)
            ELSE ST_SetSRID(ST_MakePoint(p.x, p.y), %(srid)s) END,
       'bench', 'bench-' || p.g
FROM (SELECT g, m.slug, m.polygon, %(x0)s + random() * (%(x1)s - %(x0)s) AS x,
             %(y0)s + random() * (%(y1)s - %(y0)s) AS y,
             15 + random() * 60 AS w, 15 + random() * 60 AS d
      FROM (SELECT g, 1 + floor(random() * %(mix_n)s)::int AS k
            FROM generate_series(1, %(places)s) AS g) pick
      JOIN unnest(%(mix_slugs)s::text[], %(mix_poly)s::boolean[]) WITH ORDINALITY
           AS m(slug, polygon, k) ON m.k = pick.k) p
JOIN geo_placecategory c ON c.slug = p.slug ORDER BY p.g"""),
    ("territory", """
INSERT INTO geo_territory (name, code, geom, source)
VALUES (%(city)s, %(code)s,
        ST_Multi(ST_MakeEnvelope(%(x0)s - 100, %(y0)s - 100, %(x1)s + 100, %(y1)s + 100, %(srid)s)),
        'bench/synthetic_town.py (synthetic)')"""),
]


def build(n: int, log=print) -> dict:
    """Empty the bench database's town tables and write a town of n properties. Returns counts
    and timings."""
    lay = layout(n)
    mix_slugs = [slug for slug, weight, _ in PLACE_MIX for _ in range(weight)]
    mix_poly = [poly for _, weight, poly in PLACE_MIX for _ in range(weight)]
    params = {
        "n": n, "per_row": PER_ROW, "per_block": LOTS_PER_BLOCK, "bx": lay.blocks_x,
        "blocks_x": lay.blocks_x, "x0": lay.x0, "y0": lay.y0,
        "x1": lay.x0 + lay.blocks_x * PITCH_X, "y1": lay.y0 + lay.blocks_y * PITCH_Y,
        "px": PITCH_X, "py": PITCH_Y, "lw": LOT_W, "ld": LOT_D, "sw": STREET, "srid": SRID,
        "code": MUNICIPALITY_CODE, "city": CITY, "year": ROLL_YEAR,
        "places": max(1, n // PROPERTIES_PER_PLACE),
        "mix_slugs": mix_slugs, "mix_poly": mix_poly, "mix_n": len(mix_slugs),
    }
    timings = {}
    started = time.perf_counter()
    with benchdb.connect() as conn:
        with conn.transaction():
            conn.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
            conn.execute("SELECT setseed(0.20251123)")
            conn.execute(LOTS_SQL, params)
            conn.execute("CREATE TEMP TABLE bench_street (h int PRIMARY KEY, generic text, "
                         "link text, name text, label text, norm text) ON COMMIT DROP")
            with conn.cursor().copy("COPY bench_street FROM STDIN") as copy:
                for h in range(lay.streets):
                    s = street(h)
                    copy.write_row([h, s["generic"], s["link"], s["name"], s["label"], s["norm"]])
            for name, sql in FILL_SQL:
                t = time.perf_counter()
                conn.execute(sql, params)
                timings[name] = time.perf_counter() - t
                log(f"  {name}: {timings[name]:.1f} s")
            conn.execute("SELECT setval(pg_get_serial_sequence('properties_property', 'id'), "
                         "%(n)s)", params)
        conn.autocommit = True
        t = time.perf_counter()
        for table in TABLES:
            conn.execute(f"VACUUM ANALYZE {table}")
        timings["vacuum analyze"] = time.perf_counter() - t
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
        _check(conn, lay)
    total = time.perf_counter() - started
    return {"n": n, "layout": lay, "counts": counts, "timings": timings, "seconds": total}


def _check(conn, lay):
    """The SQL town and the Python twin (used for the XML roll) must describe the same lots."""
    for i in {0, 1, 19, 20, lay.n // 2, lay.n - 1}:
        want = lot(i, lay)
        row = conn.execute(
            "SELECT p.matricule, p.lots[1], ca.civic_int, ca.street_name, "
            "ST_XMin(p.parcel), ST_YMin(p.parcel) FROM properties_property p "
            "JOIN properties_civicaddress ca ON ca.property_id = p.id WHERE p.id = %s",
            [i + 1]).fetchone()
        got = (row[0], row[1], row[2], row[3], round(row[4], 3), round(row[5], 3))
        expected = ("-".join(want["matricule"]) + "-000-0000", want["lot"], want["civic"],
                    street(want["h"])["name"], round(want["x"], 3), round(want["y"], 3))
        if got != expected:
            raise RuntimeError(f"synthetic town: lot {i} is {got} in SQL, {expected} in Python")


def existing(n: int) -> dict | None:
    """The town of n properties when the bench database already holds it (same count, the
    territory, and the lots agree with `lot`), for runs that do not need a fresh one (`run.py
    --only`); else None."""
    lay = layout(n)
    with benchdb.connect() as conn:
        try:
            counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
            if counts["properties_property"] != n or counts["geo_territory"] != 1:
                return None
            _check(conn, lay)
        except (RuntimeError, TypeError, psycopg.Error):
            return None
    return {"n": n, "layout": lay, "counts": counts, "timings": {}, "seconds": 0.0,
            "reused": True}
