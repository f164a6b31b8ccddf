"""drf-spectacular: describe WGS84GeometryField by the model column it transforms."""
from drf_spectacular.contrib.rest_framework_gis import (
    GeoFeatureModelSerializerExtension,
    build_geo_schema,
)
from drf_spectacular.extensions import OpenApiSerializerFieldExtension


class WGS84GeometryFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "geo.fields.WGS84GeometryField"
    priority = 1

    def map_serializer_field(self, auto_schema, direction):
        model = self.target.parent.Meta.model
        return build_geo_schema(model._meta.get_field(self.target.model_field))


class NullableGeometryFeatureExtension(GeoFeatureModelSerializerExtension):
    """drf-spectacular's GeoJSON feature, with a null geometry documented where the column
    allows one (a property whose parcel is unknown is a feature with `"geometry": null`)."""

    priority = 1

    def map_geo_feature_model_serializer(self, serializer, base_schema):
        schema = super().map_geo_feature_model_serializer(serializer, base_schema)
        field = serializer.Meta.model._meta.get_field(
            getattr(serializer.fields[serializer.Meta.geo_field], "model_field",
                    serializer.Meta.geo_field))
        if field.null:
            schema["properties"]["geometry"] = {**schema["properties"]["geometry"],
                                                "nullable": True}
        return schema
