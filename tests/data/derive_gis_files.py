"""Derive the GIS test files of issue 12 from the real extracts (deterministic). Run from the
repository root:  .venv/bin/python tests/data/derive_gis_files.py

Each file is described in tests/data/README.md; nothing here is invented data: features,
geometries and values come from the OpenStreetMap extracts of data/pincourt/ (ODbL) or from the
files derived from them, only rearranged (layers put together, a tag renamed as a type column,
a Z or M dimension added)."""
import subprocess
from pathlib import Path

import geopandas as gpd
import pyogrio
import shapely

HERE = Path(__file__).resolve().parent
DEMO = HERE.parents[1] / "data" / "pincourt"


def multilayer():
    """Three real layers in one GeoPackage, the schools first: the layer a careless reader
    takes is not the parcels'."""
    target = HERE / "gis_multilayer.gpkg"
    target.unlink(missing_ok=True)
    schools = gpd.read_file(HERE / "places_schools_epsg2950.gpkg")
    parcels = gpd.read_file(DEMO / "parcels-generated.geojson").sort_values("lot_number")
    territory = gpd.read_file(DEMO / "territory-generated.geojson")
    pyogrio.write_dataframe(schools, target, layer="ecoles", driver="GPKG")
    pyogrio.write_dataframe(parcels.head(40).reset_index(drop=True), target, layer="lots",
                            driver="GPKG", append=True)
    pyogrio.write_dataframe(territory, target, layer="territoire", driver="GPKG", append=True)


def amenities_typed():
    """The OSM amenities extract as a town's "places" file: one point per feature that has an
    `amenity` tag (polygons by their representative point), the tag as a `type` column."""
    src = gpd.read_file(DEMO / "pincourt-amenities-osm-2022-10-24.geojson")
    src = src[src["amenity"].notna()].reset_index(drop=True)
    out = gpd.GeoDataFrame({"id": src["@id"], "name": src["name"], "type": src["amenity"]},
                           geometry=src.geometry.representative_point(), crs=src.crs)
    out.to_file(HERE / "places_amenities_typed.geojson", driver="GeoJSON",
                COORDINATE_PRECISION=7)
    return out


def with_z(typed):
    """The point features of the typed file (the OSM nodes), each given an elevation of 30 m
    (Pincourt lies about 25-35 m above sea level): a 3-D export, `Point Z`."""
    points = typed[typed["id"].str.startswith("node/")].reset_index(drop=True)
    points = points.set_geometry(shapely.force_3d(points.geometry.values, 30.0))
    points.to_file(HERE / "places_points_z.geojson", driver="GeoJSON", COORDINATE_PRECISION=7)


def with_m():
    """places_points_z.geojson with a measure (M = 0) instead of Z: GDAL's ogr2ogr -dim XYM
    (pyogrio cannot write M)."""
    target = HERE / "places_points_m.gpkg"
    target.unlink(missing_ok=True)
    subprocess.run(["ogr2ogr", "-dim", "XYM", "-nln", "places_points_m", str(target),
                    str(HERE / "places_points_z.geojson")], check=True)


if __name__ == "__main__":
    multilayer()
    with_z(amenities_typed())
    with_m()
