"""Named reads: the zone set in force, the zones covering a place."""
import datetime as dt

from django.contrib.gis.db import models
from django.db.models import OuterRef, Subquery


class ZoneSetQuerySet(models.QuerySet):
    def in_force(self, on: dt.date):
        """For each stream, the active set with the latest start on or before `on`."""
        latest = (self.model.objects.filter(stream=OuterRef("stream"), status="active",
                                            effective_from__lte=on)
                  .order_by("-effective_from", "-pk").values("pk")[:1])
        return self.filter(pk=Subquery(latest))


class ZoneQuerySet(models.QuerySet):
    def covering(self, geom):
        """Zones whose area covers the geometry (GiST index on zone.geom)."""
        return self.filter(geom__covers=geom)

    def in_force(self, on: dt.date):
        from .models import ZoneSet

        return self.filter(zone_set__in=ZoneSet.objects.in_force(on))
