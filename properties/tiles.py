"""The properties' layers of the basemap's vector tiles (map_ui.tiles): the parcels (from tile
zoom 14, map zoom 15) and the civic numbers (from tile zoom 16, the tiles' last: map zoom 17)."""
from map_ui.tiles import TileLayer, mvt_geom, register

from .models import CivicAddress, Property

# One feature per parcel; the map asks the server what is under a click (/api/properties/at/),
# so the tile carries no attribute.
register(TileLayer("parcels", f"""
    SELECT {mvt_geom("p.parcel")} AS geom
    FROM {Property._meta.db_table} p
    WHERE p.parcel && {{box}}""", min_zoom=14))

# A civic number at the address point (else inside the parcel), once per number and place: the
# units of a building share their number. "12A", "12-14" (a range).
register(TileLayer("addresses", f"""
    SELECT DISTINCT ON (a.number, a.g) {mvt_geom("a.g")} AS geom, a.number
    FROM (SELECT coalesce(p.address_point, ST_PointOnSurface(p.parcel)) AS g,
                 ca.civic_number || ca.civic_suffix
                 || CASE WHEN ca.civic_number_to <> '' THEN '-' || ca.civic_number_to
                         ELSE '' END AS number
          FROM {Property._meta.db_table} p
          JOIN {CivicAddress._meta.db_table} ca ON ca.property_id = p.id
          WHERE p.address_point && {{box}} OR p.parcel && {{box}}) a""", min_zoom=16))
