"""Export a zone set as a GIS file in the "guichet" layout that `import_zones` reads back: fields
`code`, `name`, `rrules`, `dtstart` (YYYY-MM-DD), `starts_at` and `ends_at` (HH:MM), all text
so that every format keeps them as written.

GeoJSON is written in WGS 84 (EPSG:4326, as RFC 7946 wants); GeoPackage and Shapefile keep the
storage CRS (EPSG:GUICHET_SRID, metres) and say so in their metadata (.prj for the shapefile),
so that nothing is reprojected twice. A shapefile is several files: it is returned as a .zip of
its parts, which `import_zones` (GDAL) reads as it is."""
import io
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import shapely
from django.conf import settings

FORMATS = {
    # format: (extension of the returned file, OGR driver, content type)
    "geojson": ("geojson", "GeoJSON", "application/geo+json"),
    "gpkg": ("gpkg", "GPKG", "application/geopackage+sqlite3"),
    "shp": ("zip", "ESRI Shapefile", "application/zip"),
}
COLUMNS = ["code", "name", "rrules", "dtstart", "starts_at", "ends_at"]


def zones_frame(zone_set) -> gpd.GeoDataFrame:
    """The set's zones as a GeoDataFrame in the storage CRS, in the "guichet" layout."""
    zones = list(zone_set.zones.order_by("code"))
    return gpd.GeoDataFrame(
        {"code": [z.code for z in zones],
         "name": [z.name for z in zones],
         "rrules": [z.rrules for z in zones],
         "dtstart": [z.dtstart.isoformat() for z in zones],
         "starts_at": [z.starts_at.strftime("%H:%M") for z in zones],
         "ends_at": [z.ends_at.strftime("%H:%M") for z in zones]},
        geometry=[shapely.from_wkb(bytes(z.geom.wkb)) for z in zones],
        crs=f"EPSG:{settings.GUICHET_SRID}")


def export_zones(zone_set, fmt: str) -> tuple[bytes, str, str]:
    """(content, file name, content type) of the zone set in `fmt` ("geojson", "gpkg", "shp")."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}, expected one of {', '.join(FORMATS)}")
    extension, driver, content_type = FORMATS[fmt]
    stem = f"zones-{zone_set.stream.slug}-{zone_set.pk}"
    frame = zones_frame(zone_set)
    if fmt == "geojson":
        frame = frame.to_crs(epsg=4326)
    with tempfile.TemporaryDirectory() as tmp:
        if fmt == "shp":
            path = Path(tmp) / f"{stem}.shp"
            # Text fields sized to their longest value: the driver's default width (80) would
            # cut a long recurrence, and a dBase field holds at most 254 bytes.
            frame.to_file(path, driver=driver, engine="pyogrio", encoding="UTF-8",
                          layer_options={"RESIZE": "YES"})
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for part in sorted(Path(tmp).glob(f"{stem}.*")):
                    archive.write(part, part.name)
            content = buffer.getvalue()
        else:
            path = Path(tmp) / f"{stem}.{extension}"
            frame.to_file(path, driver=driver, engine="pyogrio", layer="zones")
            content = path.read_bytes()
    return content, f"{stem}.{extension}", content_type
