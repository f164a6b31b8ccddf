"""drf-spectacular: describe WGS84GeometryField by the model column it transforms."""
from drf_spectacular.contrib.rest_framework_gis import build_geo_schema
from drf_spectacular.extensions import OpenApiSerializerFieldExtension


class WGS84GeometryFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "geo.fields.WGS84GeometryField"
    priority = 1

    def map_serializer_field(self, auto_schema, direction):
        model = self.target.parent.Meta.model
        return build_geo_schema(model._meta.get_field(self.target.model_field))
