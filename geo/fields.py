"""A GeoJSON geometry transformed to WGS 84 in SQL (the view annotates `<field>_wgs84`).

The annotation is best the GeoJSON text itself, written by PostGIS (`wgs84_geojson`): the
field then only parses it. A geometry annotation (`Transform`) also works, through GDAL's
GeoJSON writer, which costs ~0.3 ms a feature (a new spatial reference each time)."""
from django.contrib.gis.db.models.functions import AsGeoJSON, Transform
from rest_framework_gis.fields import GeoJsonDict, GeometryField


def wgs84_geojson(field: str, precision: int = 6) -> AsGeoJSON:
    """`field` as GeoJSON text in WGS 84, `precision` decimals (6: about 10 cm)."""
    return AsGeoJSON(Transform(field, 4326), precision=precision)


class WGS84GeometryField(GeometryField):
    def __init__(self, model_field: str, **kwargs):
        self.model_field = model_field  # the stored column it comes from, for the API schema
        kwargs.setdefault("source", f"{model_field}_wgs84")
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        if isinstance(value, str):  # already GeoJSON, rounded by PostGIS
            return GeoJsonDict(value)
        return super().to_representation(value)
