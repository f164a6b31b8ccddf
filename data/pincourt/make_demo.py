"""Generate what OpenStreetMap does not have for the Pincourt demo: a territory outline, cadastral
parcels, and two evaluation rolls in the MAMH XML format (so the demo goes through the real roll
importer). Deterministic (seeded); run from the repository root:

    .venv/bin/python data/pincourt/make_demo.py

Everything written here is GENERATED, not official: see data/pincourt/SOURCE.md.
"""
import json
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import shapely
import shapely.ops
from pyproj import Transformer
from shapely.geometry import mapping, shape

HERE = Path(__file__).parent
OSM = HERE / "pincourt-osm-2022-10-29.geojson"
SRID = 32188  # NAD83 / MTM zone 8, metres
MUNICIPALITY_CODE = "71100"
to_m = Transformer.from_crs(4326, SRID, always_xy=True).transform
to_ll = Transformer.from_crs(SRID, 4326, always_xy=True).transform
GENERICS = {"rue", "avenue", "boulevard", "chemin", "place", "montée", "croissant", "terrasse",
            "rang", "route", "impasse", "promenade", "carré", "allée", "côte"}
LINKS = ("de la ", "de l'", "des ", "du ", "de ")


def project(geom):
    return shapely.ops.transform(to_m, geom)


def unproject(geom):
    return shapely.ops.transform(to_ll, geom)


def load():
    features = json.loads(OSM.read_text(encoding="utf-8"))["features"]
    addresses, streets = [], []
    for f in features:
        p, g = f["properties"], shape(f["geometry"])
        if p.get("addr:housenumber") and p.get("addr:street"):
            point = g if g.geom_type == "Point" else g.representative_point()
            addresses.append({"number": p["addr:housenumber"], "street": p["addr:street"],
                              "city": p.get("addr:city", ""), "point": project(point),
                              "commercial": p.get("building") in ("retail", "commercial")})
        if p.get("highway") in ("residential", "tertiary", "secondary", "primary", "trunk",
                                "unclassified", "living_street") and g.geom_type == "LineString":
            streets.append(project(g))
    return addresses, streets


def make_territory(addresses, streets):
    """Concave hull of Pincourt's address points, widened 250 m: an approximation of the built-up
    town for the demo, NOT the legal boundary (OSM's extract has only two boundary lines)."""
    points = shapely.MultiPoint([a["point"] for a in addresses if a["city"] == "Pincourt"])
    hull = shapely.concave_hull(points, ratio=0.3).buffer(250, join_style="round")
    return shapely.simplify(hull, 10)


def make_parcels(addresses, streets, territory, rng):
    """One parcel per address point: its Voronoi cell among the address points, cut to a disc
    around the point (30 m, 60 m for commercial buildings) and away from street centre lines."""
    inside = [a for a in addresses if territory.covers(a["point"])]
    points = shapely.MultiPoint([a["point"] for a in inside])
    cells = shapely.voronoi_polygons(points, extend_to=territory.buffer(500))
    road = shapely.union_all([s.buffer(9, cap_style="flat") for s in streets])
    by_point = {}
    for cell in cells.geoms:
        for i in shapely.STRtree([a["point"] for a in inside]).query(cell, predicate="covers"):
            by_point[int(i)] = cell
    parcels = []
    for i, a in enumerate(inside):
        cell = by_point.get(i)
        if cell is None:
            continue
        radius = 60 if a["commercial"] else 30
        lot = cell.intersection(a["point"].buffer(radius)).difference(road)
        lot = lot.intersection(territory)
        if lot.geom_type == "MultiPolygon":  # keep the piece holding the address point
            lot = next((g for g in lot.geoms if g.covers(a["point"])), max(lot.geoms,
                                                                             key=lambda g: g.area))
        if lot.is_empty or lot.area < 80:
            continue
        a["lot"] = str(1_674_000 + i * 7 + int(rng.integers(0, 7)))
        a["parcel"] = shapely.simplify(lot, 0.3)
        parcels.append(a)
    return inside, parcels


def split_street(name):
    first, _, rest = name.partition(" ")
    generic = first if first.lower() in GENERICS and rest else ""
    rest = rest if generic else name
    link = next((lk for lk in LINKS if rest.lower().startswith(lk)), "")
    return generic, link.strip(), rest[len(link):]


def matricule(point, taken):
    # Division/section from a 250 m grid, emplacement from the metres inside it: stable, unique.
    x, y = point.x, point.y
    div = 8000 + int((x - 285000) // 250) % 100 * 10 + int((y - 5_020_000) // 2500) % 10
    section = int((y - 5_020_000) // 250) % 100
    place = int(x % 250) * 40 + int(y % 250) // 7
    m = [div, section, place % 10000]
    while tuple(m) in taken:
        m[2] = (m[2] + 1) % 10000
    taken.add(tuple(m))
    digits = f"{m[0]:04d}{m[1]:02d}{m[2]:04d}"
    cav = sum(int(c) * w for c, w in zip(digits, range(1, 11), strict=True)) % 10
    return (f"{m[0]:04d}", f"{m[1]:02d}", f"{m[2]:04d}", str(cav))


def unit_values(a, rng, roll_year, growth):
    area = a["parcel"].area if "parcel" in a else float(rng.normal(650, 120))
    commercial = a["commercial"]
    year_built = int(np.clip(rng.normal(1978, 14), 1930, 2021))
    floor = float(np.clip(rng.normal(900 if commercial else 135, 30), 60, 9000))
    land = round(area * rng.normal(118 if commercial else 96, 12) / growth, -2)
    age = max(0, roll_year - year_built)
    building = round(floor * 2050 * max(0.35, 1 - age * 0.008) / growth, -2)
    dwellings = 0 if commercial else int(rng.choice([1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4]))
    return {
        "RL0105A": "5001" if commercial else "1000",
        "RL0301A": f"{math.sqrt(area) * rng.uniform(0.7, 1.1):.2f}",
        "RL0302A": f"{area:.1f}",
        "RL0306A": str(1 if commercial else int(rng.choice([1, 1, 2]))),
        "RL0307A": str(year_built),
        "RL0307B": "E" if year_built < 1950 else "R",
        "RL0308A": f"{floor:.1f}",
        "RL0311A": str(dwellings),
        "RL0402A": str(int(land)),
        "RL0403A": str(int(building)),
        "RL0404A": str(int(land + building)),
    }


def sub(parent, tag, text):
    el = ET.SubElement(parent, tag)
    el.text = text
    return el


def write_roll(path, units, roll_year, reference_date):
    root = ET.Element("RL")
    sub(root, "RLM01A", MUNICIPALITY_CODE)
    sub(root, "RLM02A", str(roll_year))
    for u in units:
        ue = ET.SubElement(root, "RLUEx")
        adr = ET.SubElement(ET.SubElement(ue, "RL0101"), "RL0101x")
        sub(adr, "RL0101Ax", u["number"])
        generic, link, name = split_street(u["street"])
        if generic:
            sub(adr, "RL0101Ex", generic)
        if link:
            sub(adr, "RL0101Fx", link)
        sub(adr, "RL0101Gx", name)
        if u.get("unit"):
            sub(adr, "RL0101Ix", u["unit"])
        lots = ET.SubElement(ue, "RL0103")
        sub(ET.SubElement(lots, "RL0103x"), "RL0103Ax", u["lot_text"])
        mat = ET.SubElement(ue, "RL0104")
        for tag, value in zip("ABCDEF", (*u["matricule"], "000", u.get("local", "0000")),
                              strict=True):
            sub(mat, f"RL0104{tag}", value)
        for tag, value in u[roll_year].items():
            sub(ue, tag, value)
        sub(ue, "RL0401A", reference_date)
        if "previous" in u and roll_year in u["previous"]:
            sub(ue, "RL0405A", u["previous"][roll_year])
    ET.indent(root)
    comment = ET.Comment(f" GENERATED demo roll for Guichet (data/pincourt/make_demo.py), not the "
                         f"official roll of Pincourt. Roll year {roll_year}. ")
    tree = ET.ElementTree(root)
    with open(path, "wb") as fh:
        fh.write(b'<?xml version="1.0" encoding="UTF-8"?>\n')
        fh.write(ET.tostring(comment, encoding="utf-8") + b"\n")
        tree.write(fh, encoding="utf-8", xml_declaration=False)


def main():
    rng = np.random.default_rng(20261123)
    addresses, streets = load()
    territory = make_territory(addresses, streets)
    inside, parcels = make_parcels(addresses, streets, territory, rng)

    units, taken = [], set()
    for a in inside:
        u = {"number": a["number"], "street": a["street"], "commercial": a["commercial"],
             "matricule": matricule(a["point"], taken), "lot_text": a.get("lot", "")}
        if "parcel" not in a:
            u["lot_text"] = str(2_100_000 + len(units))  # a lot with no parcel: linked by address
        if u["lot_text"]:
            u["lot_text"] = f"{u['lot_text'][0]} {u['lot_text'][1:4]} {u['lot_text'][4:]}"
        u["parcel_source"] = a
        units.append(u)
    # A condominium: three units sharing the first apartment building's lot.
    condo = units[0]
    for k in (1, 2):
        units.append({**condo, "unit": str(100 + k), "local": f"{k:04d}"})
    condo["unit"], condo["local"] = "100", "0000"
    # Two units whose address and lot exist nowhere else: the importer must report them unlinked.
    for k, street in enumerate(("Rue des Érables-Oubliés", "Chemin du Lac-Perdu")):
        units.append({"number": str(9001 + k), "street": street, "commercial": False,
                      "matricule": ("8999", "99", f"{k:04d}", "0"),
                      "lot_text": f"9 999 99{k}", "parcel_source": {"commercial": False}})

    for u in units:
        src = u["parcel_source"]
        u[2026] = unit_values(src, rng, 2026, 1.0)
        growth = rng.normal(1.31, 0.06)  # 2023 -> 2026 roll: Quebec's market rose ~30 %
        u[2023] = {k: (str(int(round(int(v) / growth, -2))) if k in ("RL0402A", "RL0403A") else v)
                   for k, v in u[2026].items()}
        u[2023]["RL0404A"] = str(int(u[2023]["RL0402A"]) + int(u[2023]["RL0403A"]))
        u["previous"] = {2026: u[2023]["RL0404A"]}

    write_roll(HERE / "roll-2023-generated.xml", units, 2023, "2021-07-01")
    write_roll(HERE / "roll-2026-generated.xml", units, 2026, "2024-07-01")
    fc = {"type": "FeatureCollection", "name": "parcels-generated", "features": [
        {"type": "Feature", "properties": {"lot_number": a["lot"]},
         "geometry": mapping(unproject(a["parcel"]))} for a in parcels]}
    (HERE / "parcels-generated.geojson").write_text(json.dumps(fc, separators=(",", ":")))
    territory_fc = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"name": "Pincourt (approximation, generated)"},
        "geometry": mapping(unproject(territory))}]}
    (HERE / "territory-generated.geojson").write_text(json.dumps(territory_fc))
    print(f"territory {territory.area / 1e6:.2f} km², {len(parcels)} parcels, {len(units)} units")


if __name__ == "__main__":
    main()
