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


def nearby_features(places) -> dict:
    """The FeatureCollection NearbyPlaceSerializer describes, from `values()` rows: the nearby
    API's hot path (model instances through the nested serializer cost more than the query)."""
    rows = places.values("pk", "name", "address", "category__slug", "category__name_fr",
                         "category__name_en", "geom_wgs84", "distance")
    features = []
    for row in rows:
        category = localized(row, "category__name")
        features.append({
            "id": row["pk"], "type": "Feature", "geometry": GeoJsonDict(row["geom_wgs84"]),
            "properties": {"name": row["name"] or category, "address": row["address"],
                           "category": row["category__slug"], "category_name": category,
                           "distance_m": round(row["distance"].m, 1)}})
    return {"type": "FeatureCollection", "features": features}


class StreetSerializer(GeoFeatureModelSerializer):
    geom = WGS84GeometryField("geom", precision=6)

    class Meta:
        model = Street
        geo_field = "geom"
        fields = ["id", "name", "kind"]
