"""A GeoJSON geometry transformed to WGS 84 in SQL (the view annotates `<field>_wgs84`)."""
from rest_framework_gis.fields import GeometryField


class WGS84GeometryField(GeometryField):
    def __init__(self, model_field: str, **kwargs):
        self.model_field = model_field  # the stored column it comes from, for the API schema
        kwargs.setdefault("source", f"{model_field}_wgs84")
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)
