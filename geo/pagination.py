from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework_gis.pagination import GeoJsonPagination


class GeoPagination(GeoJsonPagination):
    """GeoJSON pages: a FeatureCollection with `count`, `next` and `previous` beside `features`
    (documented as it is returned). A client may ask for up to 1,000 features a page, not an
    unbounded dump; `page` and `page_size` are whole numbers from 1, or a 400 (a page beyond
    the last is a 404)."""

    max_page_size = 1000

    def _whole_number(self, request, name, maximum=None):
        raw = request.query_params.get(name)
        if raw is None:
            return None
        if not (raw.isascii() and raw.isdigit() and int(raw) >= 1
                and (maximum is None or int(raw) <= maximum)):
            if maximum is None:
                raise ParseError(_("%(p)s must be a whole number from 1.") % {"p": name})
            raise ParseError(_("%(p)s must be a whole number from 1 to %(max)d.")
                             % {"p": name, "max": maximum})
        return int(raw)

    def paginate_queryset(self, queryset, request, view=None):
        self._whole_number(request, self.page_query_param)  # a bad one is a 400, not a 404
        return super().paginate_queryset(queryset, request, view)

    def get_page_size(self, request):
        size = self._whole_number(request, self.page_size_query_param, self.max_page_size)
        return self.page_size if size is None else size

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
        return parameters

    def get_paginated_response_schema(self, schema):
        """`schema` is the FeatureCollection of the view's features (drf-spectacular's GIS
        extension: `type` and `features`); the page adds its keys beside them."""
        return {"allOf": [schema, {
            "type": "object",
            "properties": {
                "count": {"type": "integer", "example": 123},
                "next": {"type": "string", "format": "uri", "nullable": True,
                         "example": "https://guichet.example/api/places/?page=4"},
                "previous": {"type": "string", "format": "uri", "nullable": True,
                             "example": "https://guichet.example/api/places/?page=2"},
            },
            "required": ["type", "count", "next", "previous", "features"],
        }]}
