"""Where a request is: a WGS 84 point (map click, "use my location") or else a typed address,
as a point in the storage CRS inside the territory. Shared by the citizen's and the clerk's
forms."""
import math
import re
import unicodedata

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


SAME_PLACE_M = 15  # matches this close together are one place (the units of one building)
_UNIT = re.compile(r"^\S+-\d")  # "100-92 Boulevard ...": a unit of number 92


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def _metres(a: dict, b: dict) -> float:
    """Distance between two matches' WGS 84 points (equirectangular: a few metres apart)."""
    x = math.radians(b["lon"] - a["lon"]) * math.cos(math.radians((a["lat"] + b["lat"]) / 2))
    return 6_371_000 * math.hypot(x, math.radians(b["lat"] - a["lat"]))


def address_choices(address: str, limit: int = 6) -> list[dict]:
    """The places an address typed may mean, never a guess between them: [] when none
    matches; one when it names one place (the matches are one building: its address without
    a unit, e.g. "92 Boulevard Cardinal-Léger" for "92 Cardinal-Léger", not unit "100-92"), or
    when the text is exactly one match's address; else one match per place, best first, for
    the citizen to choose."""
    matches = [m for m in find_properties(address, limit=limit) if m["lon"] is not None]
    exact = [m for m in matches if _plain(m["label"]) == _plain(address)]
    if exact and all(_metres(exact[0], m) <= SAME_PLACE_M for m in exact):
        return [exact[0]]
    places: list[list[dict]] = []
    for match in matches:
        for place in places:
            if _metres(place[0], match) <= SAME_PLACE_M:
                place.append(match)
                break
        else:
            places.append([match])
    return [next((m for m in place if not _UNIT.match(m["label"])), place[0])
            for place in places]
