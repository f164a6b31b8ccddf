"""Derive tests/data/pincourt_municipal_epsg32188.gpkg and its broken twins from the real OSM
extract data/pincourt/pincourt-osm-2022-10-29.geojson (© OpenStreetMap contributors, ODbL 1.0):
a civic address layer and a road layer shaped as a Quebec town's GIS exports them (own field
names, NAD83 / MTM zone 8). Run once by hand (`python tests/data/make_municipal_addresses.py`);
the outputs are committed, this script documents how they were made (tests/data/README.md)."""
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

HERE = Path(__file__).parent
OSM = HERE.parent.parent / "data" / "pincourt" / "pincourt-osm-2022-10-29.geojson"
STREET_KINDS = {"motorway", "trunk", "primary", "secondary", "tertiary", "unclassified",
                "residential", "living_street", "pedestrian", "service", "trunk_link",
                "primary_link", "secondary_link", "tertiary_link"}


def osm_number(osm_id: str) -> int:
    return int(osm_id.split("/")[1])


def main():
    osm = gpd.read_file(OSM)
    points = osm[osm["addr:housenumber"].notna() & osm["addr:street"].notna()
                 & (osm.geom_type == "Point")]
    addresses = gpd.GeoDataFrame({
        "ID_ADRESSE": [osm_number(i) for i in points["@id"]],
        "NO_CIVIQUE": points["addr:housenumber"].astype(int).to_numpy(),
        "NOM_VOIE": points["addr:street"].to_numpy(),
        "MUNICIPALITE": points["addr:city"].fillna("").to_numpy(),
    }, geometry=points.geometry.to_numpy(), crs=4326).to_crs(32188)
    lines = osm[osm["highway"].isin(STREET_KINDS) & osm["name"].notna()
                & osm.geom_type.isin(["LineString", "MultiLineString"])]
    roads = gpd.GeoDataFrame({
        "ID_TRONCON": [osm_number(i) for i in lines["@id"]],
        "NOM_VOIE": lines["name"].to_numpy(),
        "CLASSE": lines["highway"].to_numpy(),
    }, geometry=lines.geometry.to_numpy(), crs=4326).to_crs(32188)
    good = HERE / "pincourt_municipal_epsg32188.gpkg"
    good.unlink(missing_ok=True)
    addresses.to_file(good, layer="adresses", driver="GPKG")
    roads.to_file(good, layer="troncons", driver="GPKG")

    # The same address layer with no coordinate system (a GeoPackage with srs_id 0).
    no_crs = HERE / "addresses_without_crs.gpkg"
    no_crs.unlink(missing_ok=True)
    addresses.head(10).set_crs(None, allow_override=True).to_file(no_crs, driver="GPKG")

    # Ten points in 3-D (elevation 30 m, made up) in WGS 84.
    three_d = addresses.head(10).to_crs(4326)
    three_d = three_d.set_geometry(shapely.force_3d(three_d.geometry.values, 30.0))
    three_d.to_file(HERE / "addresses_3d.geojson", driver="GeoJSON")

    # One edge case per feature, from the first address: 1 valid; 2 no civic number; 3 no street;
    # 4 the first one's ID_ADRESSE again; 5 in Montréal (outside the territory); 6 a polygon.
    first = addresses.to_crs(4326).iloc[0]
    rows = [
        (first.ID_ADRESSE, str(first.NO_CIVIQUE), first.NOM_VOIE, first.geometry),
        (1, None, first.NOM_VOIE, first.geometry),
        (2, str(first.NO_CIVIQUE), "", first.geometry),
        (first.ID_ADRESSE, "1", "Rue du Doublon", first.geometry),
        (3, "275", "Rue Notre-Dame Est", shapely.Point(-73.5540, 45.5088)),
        (4, "5", first.NOM_VOIE, first.geometry.buffer(0.0001)),
    ]
    bad = gpd.GeoDataFrame(pd.DataFrame(
        [r[:3] for r in rows], columns=["ID_ADRESSE", "NO_CIVIQUE", "NOM_VOIE"]),
        geometry=[r[3] for r in rows], crs=4326)
    bad.to_file(HERE / "addresses_bad_rows.geojson", driver="GeoJSON")
    for name in ("addresses_3d.geojson", "addresses_bad_rows.geojson"):  # stable, no float noise
        path = HERE / name
        path.write_text(json.dumps(json.loads(path.read_text()), ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
