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


def nearby_features(rows) -> dict:
    """The FeatureCollection NearbyPlaceSerializer describes, from plain rows (id, name,
    address, category slug, French and English category names, WGS 84 GeoJSON text, distance
    in metres): the nearby API's hot path, the one place that writes these features by hand
    (model instances through the nested serializer cost more than the query). A test checks
    that both give the same collection."""
    features = []
    for pk, name, address, slug, name_fr, name_en, geojson, distance in rows:
        category = localized({"name_fr": name_fr, "name_en": name_en}, "name")
        features.append({
            "id": pk, "type": "Feature", "geometry": GeoJsonDict(json.loads(geojson)),
            "properties": {"name": name or category, "address": address,
                           "category": slug, "category_name": category,
                           "distance_m": round(distance, 1)}})
    return {"type": "FeatureCollection", "features": features}


class StreetSerializer(GeoFeatureModelSerializer):
    geom = WGS84GeometryField("geom", precision=6)

    class Meta:
        model = Street
        geo_field = "geom"
        fields = ["id", "name", "kind"]
