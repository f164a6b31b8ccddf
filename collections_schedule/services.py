"""Writes on collection zones (keyword-only, one transaction each). Activation lives beside its
checks in planning.py."""
import shapely
import shapely.ops
from django.contrib.gis.db.models import Union
from django.contrib.gis.geos import GeometryCollection, MultiPolygon, Polygon
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from geo.geometry import to_geos

from .models import CollectionException, Zone, ZoneSet


def _as_multipolygon(geom) -> MultiPolygon:
    """ST_Union of polygons gives a Polygon when they touch, a MultiPolygon when apart, and may
    add stray lines where they share an edge: keep the polygons only."""
    if isinstance(geom, MultiPolygon):
        return geom
    if isinstance(geom, Polygon):
        return MultiPolygon(geom, srid=geom.srid)
    if isinstance(geom, GeometryCollection):
        parts = []
        for g in geom:
            parts.extend(g if isinstance(g, MultiPolygon) else [g] if isinstance(g, Polygon)
                         else [])
        if parts:
            return MultiPolygon(*parts, srid=geom.srid)
    raise ValidationError(_("The merged zones do not form an area."), code="not_an_area")


@transaction.atomic
def merge_zones(*, zones) -> Zone:
    """Merge zones of one draft set into the first one (lowest code): its area becomes the union
    of their areas (ST_Union in PostGIS), the exceptions of the others move to it, the others
    are deleted. Zones of an active set are history and are not merged."""
    ids = [z.pk for z in zones]
    locked = list(Zone.objects.select_for_update().filter(pk__in=ids).order_by("code", "pk"))
    if len(locked) < 2:
        raise ValidationError(_("Select at least two zones to merge."), code="too_few")
    if len({z.zone_set_id for z in locked}) > 1:
        raise ValidationError(_("Only zones of the same zone set can be merged."),
                              code="different_sets")
    zone_set = ZoneSet.objects.get(pk=locked[0].zone_set_id)
    if zone_set.status != ZoneSet.Status.DRAFT:
        raise ValidationError(
            _("Only the zones of a draft zone set can be merged: an active set is history."),
            code="not_draft")
    keep, others = locked[0], locked[1:]
    union = Zone.objects.filter(pk__in=ids).aggregate(area=Union("geom"))["area"]
    keep.geom = _as_multipolygon(union)
    keep.save(update_fields=["geom"])
    other_ids = [z.pk for z in others]
    CollectionException.objects.filter(zone_id__in=other_ids).update(zone=keep)
    Zone.objects.filter(pk__in=other_ids).delete()
    return keep


@transaction.atomic
def split_zone(*, zone, line, new_code: str) -> tuple[Zone, Zone]:
    """Cut a draft zone in two along a line drawn across it: the part holding the zone's
    centroid keeps its code, the other becomes `new_code` with the same recurrence."""
    zone = Zone.objects.select_for_update().select_related("zone_set").get(pk=zone.pk)
    if zone.zone_set.status != ZoneSet.Status.DRAFT:
        raise ValidationError(
            _("Only the zones of a draft zone set can be split: an active set is history."),
            code="not_draft")
    if not new_code or zone.zone_set.zones.filter(code=new_code).exists():
        raise ValidationError(_("Give the new zone a code not used in this set."),
                              code="bad_code")
    line = line.clone()
    line.transform(zone.geom.srid)
    area = shapely.from_wkb(bytes(zone.geom.wkb))
    pieces = list(shapely.ops.split(area, shapely.from_wkb(bytes(line.wkb))).geoms)
    if len(pieces) < 2:
        raise ValidationError(_("The line does not cross the zone from side to side."),
                              code="no_cut")
    centre = area.centroid
    first = [p for p in pieces if p.intersects(centre.buffer(0.01))] or pieces[:1]
    rest = [p for p in pieces if p not in first]
    zone.geom = to_geos(shapely.MultiPolygon(_polygons(first)))
    zone.save(update_fields=["geom"])
    other = Zone.objects.create(
        zone_set=zone.zone_set, code=new_code, name=zone.name, rrules=zone.rrules,
        dtstart=zone.dtstart, starts_at=zone.starts_at, ends_at=zone.ends_at,
        geom=to_geos(shapely.MultiPolygon(_polygons(rest))))
    return zone, other


def _polygons(geoms):
    return [p for g in geoms for p in (g.geoms if g.geom_type == "MultiPolygon" else [g])]
