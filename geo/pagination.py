from rest_framework_gis.pagination import GeoJsonPagination


class GeoPagination(GeoJsonPagination):
    """GeoJSON pages; a client may ask for up to 1,000 features a page, not an unbounded dump."""

    max_page_size = 1000
