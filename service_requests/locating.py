"""Where a request is: a WGS 84 point (map click, "use my location") or else a typed address,
as a point in the storage CRS inside the territory. Shared by the citizen's and the clerk's
forms."""
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from properties.selectors import find_properties

from .services import point_from_lonlat


def locate(params):
    """(point, address label) from lon/lat or else the address typed. ValidationError when
    neither gives a place in the territory."""
    address = (params.get("address") or "").strip()[:200]
    lon, lat = params.get("lon"), params.get("lat")
    if (lon in (None, "") or lat in (None, "")) and address:
        matches = [m for m in find_properties(address, limit=1) if m["lon"] is not None]
        if not matches:
            raise ValidationError(_("No address matches \"%(address)s\". Check the civic number "
                                    "and the street, or choose the place on the map.")
                                  % {"address": address}, code="unknown_address")
        lon, lat, address = matches[0]["lon"], matches[0]["lat"], matches[0]["label"]
    return point_from_lonlat(lon, lat), address
