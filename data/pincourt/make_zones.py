"""Generate plausible collection zones for the Pincourt demo, one GeoJSON file per stream in
Guichet's zone layout (code, name, rrules, dtstart, starts_at, ends_at), loaded by
`import_zones`. GENERATED: not Pincourt's real collection layout. Run from the repository root:

    .venv/bin/python data/pincourt/make_zones.py
"""
import json
from pathlib import Path

import shapely
import shapely.ops
from pyproj import Transformer
from shapely.geometry import mapping, shape

HERE = Path(__file__).parent
to_m = Transformer.from_crs(4326, 32188, always_xy=True).transform
to_ll = Transformer.from_crs(32188, 4326, always_xy=True).transform

# stream -> [(code, name, split side, rrules, dtstart)]; the split lines cut the territory at
# the median of its address points, west/east for garbage and north/south for recycling.
STREAMS = {
    "garbage": [
        ("O-OUEST", "Ordures — secteur ouest", "west", "RRULE:FREQ=WEEKLY;BYDAY=TU", "2026-01-06"),
        ("O-EST", "Ordures — secteur est", "east", "RRULE:FREQ=WEEKLY;BYDAY=WE", "2026-01-07"),
    ],
    "recycling": [
        # Every other Thursday, the two sectors on alternate weeks.
        ("R-NORD", "Recyclage — secteur nord", "north",
         "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", "2026-01-08"),
        ("R-SUD", "Recyclage — secteur sud", "south",
         "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", "2026-01-15"),
    ],
    "organics": [
        # Weekly from April to November, every other week in winter.
        ("BRUN", "Matières organiques — toute la ville", None,
         "RRULE:FREQ=WEEKLY;BYDAY=MO;BYMONTH=4,5,6,7,8,9,10,11\n"
         "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;BYMONTH=1,2,3,12", "2026-01-05"),
    ],
    "green-waste": [
        ("VERTS", "Résidus verts — printemps et automne", None,
         "RRULE:FREQ=WEEKLY;BYDAY=FR;BYMONTH=5,10,11", "2026-05-01"),
    ],
    "bulky": [
        ("ENC", "Encombrants — premier vendredi du mois", None,
         "RRULE:FREQ=MONTHLY;BYDAY=1FR", "2026-01-02"),
    ],
    "christmas-trees": [
        ("SAPINS", "Sapins — deuxième mercredi de janvier", None,
         "RRULE:FREQ=YEARLY;BYMONTH=1;BYDAY=2WE", "2026-01-14"),
    ],
}


def main():
    territory = shapely.ops.transform(to_m, shape(json.loads(
        (HERE / "territory-generated.geojson").read_text())["features"][0]["geometry"]))
    points = [shapely.ops.transform(to_m, shape(f["geometry"]).representative_point())
              for f in json.loads((HERE / "pincourt-osm-2022-10-29.geojson").read_text())[
                  "features"] if "addr:housenumber" in f["properties"]]
    points = [p for p in points if territory.covers(p)]
    xs, ys = sorted(p.x for p in points), sorted(p.y for p in points)
    mid_x, mid_y = xs[len(xs) // 2], ys[len(ys) // 2]
    x0, y0, x1, y1 = territory.bounds
    halves = {
        "west": shapely.box(x0 - 1, y0 - 1, mid_x, y1 + 1),
        "east": shapely.box(mid_x, y0 - 1, x1 + 1, y1 + 1),
        "south": shapely.box(x0 - 1, y0 - 1, x1 + 1, mid_y),
        "north": shapely.box(x0 - 1, mid_y, x1 + 1, y1 + 1),
    }
    for stream, zones in STREAMS.items():
        features = []
        for code, name, side, rrules, dtstart in zones:
            area = territory if side is None else territory.intersection(halves[side])
            features.append({"type": "Feature", "properties": {
                "code": code, "name": name, "rrules": rrules, "dtstart": dtstart,
                "starts_at": "07:00", "ends_at": "18:00"},
                "geometry": mapping(shapely.ops.transform(to_ll, area))})
        path = HERE / f"zones-{stream}-generated.geojson"
        path.write_text(json.dumps({"type": "FeatureCollection", "features": features},
                                   ensure_ascii=False, separators=(",", ":")))
        print(path.name, len(features))


if __name__ == "__main__":
    main()
