"""django-leaflet's map widgets under the site's Content-Security-Policy.

The widget writes an inline <script> and <style> carrying `nonce="..."` only when its csp_nonce
is truthy. django-leaflet hands it request.csp_nonce, django-csp's lazy object, which is falsy
until something reads it: the page went out without a nonce and the browser refused the map.
Here the nonce is read (a string), so the tags get it and django-csp adds it to the header."""
from leaflet.admin import LeafletGeoAdmin


def csp_nonce(request) -> str | None:
    """This request's CSP nonce, generated now (None without django-csp's middleware)."""
    nonce = getattr(request, "csp_nonce", None)
    return None if nonce is None else str(nonce)


class MapAdmin(LeafletGeoAdmin):
    """LeafletGeoAdmin whose map widgets carry the request's CSP nonce."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and request is not None and hasattr(field.widget, "csp_nonce"):
            field.widget.csp_nonce = csp_nonce(request)
        return field
