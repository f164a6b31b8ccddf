"""drf-spectacular: a group is a GeoJSON feature whose geometry is its place's point (the group
has no geometry column of its own, which drf-spectacular's GIS extension looks for)."""
from drf_spectacular.contrib.rest_framework_gis import GeoFeatureModelSerializerExtension
from drf_spectacular.plumbing import build_object_type

from .serializers import POINT_SCHEMA


class GroupFeatureExtension(GeoFeatureModelSerializerExtension):
    target_class = "leisure.serializers.GroupSerializer"
    match_subclasses = True
    priority = 2

    def map_serializer(self, auto_schema, direction):
        properties = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        fields = properties["properties"]
        feature_id = fields.pop("id")
        fields.pop(self.target.Meta.geo_field)
        properties["required"] = [f for f in properties.get("required", [])
                                  if f not in ("id", self.target.Meta.geo_field)]
        properties.pop("description", None)
        return build_object_type(
            properties={"type": {"type": "string", "enum": ["Feature"]}, "id": feature_id,
                        "geometry": POINT_SCHEMA, "properties": properties},
            required=["type", "id", "geometry", "properties"])
