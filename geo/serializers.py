import json

from rest_framework import serializers
from rest_framework_gis.fields import GeoJsonDict
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from core.bilingual import localized

from .fields import WGS84GeometryField
from .models import Place, PlaceCategory, Street


class PlaceCategorySerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = PlaceCategory
        fields = ["slug", "name", "name_fr", "name_en", "icon", "color"]


class PlaceSerializer(GeoFeatureModelSerializer):
    """A place as a GeoJSON feature in WGS 84 (the view annotates geom_wgs84 in SQL)."""

    geom = WGS84GeometryField("geom", precision=6)
    category = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    name = serializers.CharField(source="display_name", read_only=True)

    class Meta:
        model = Place
        geo_field = "geom"
        fields = ["id", "name", "address", "category", "category_name"]


class NearbyPlaceSerializer(PlaceSerializer):
    distance_m = serializers.SerializerMethodField()

    class Meta(PlaceSerializer.Meta):
        fields = [*PlaceSerializer.Meta.fields, "distance_m"]

    def get_distance_m(self, obj) -> float:
        return round(obj.distance.m, 1)


def row_features(rows, *, geometry, properties) -> list[dict]:
    """GeoJSON features from plain rows, for a hot path where model instances through a
    GeoFeatureModelSerializer cost several times the query (bench/RESULTS.md): the one place
    features are written by hand. `geometry(row)` and `properties(row)` give each part; the
    serializer that documents the same shape is checked against it by a test."""
    return [{"id": row[0], "type": "Feature", "geometry": geometry(row),
             "properties": properties(row)} for row in rows]


def nearby_features(rows) -> dict:
    """NearbyPlaceSerializer's FeatureCollection from properties.selectors.nearby_rows' rows
    (id, name, address, category slug, French and English category names, WGS 84 GeoJSON
    text, distance in metres): the nearby API's hot path."""
    def props(row):
        _pk, name, address, slug, name_fr, name_en, _geojson, distance = row
        category = localized({"name_fr": name_fr, "name_en": name_en}, "name")
        return {"name": name or category, "address": address, "category": slug,
                "category_name": category, "distance_m": round(distance, 1)}

    return {"type": "FeatureCollection", "features": row_features(
        rows, geometry=lambda row: GeoJsonDict(json.loads(row[6])), properties=props)}


class StreetSerializer(GeoFeatureModelSerializer):
    geom = WGS84GeometryField("geom", precision=6)

    class Meta:
        model = Street
        geo_field = "geom"
        fields = ["id", "name", "kind"]
