"""Named spatial reads."""
from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.measure import D


class TerritoryQuerySet(models.QuerySet):
    def current(self):
        """The municipality served by this installation (the first one loaded)."""
        return self.order_by("pk").first()

    def covering(self, geom):
        return self.filter(geom__covers=geom)  # GiST index on territory.geom


class PlaceQuerySet(models.QuerySet):
    def within(self, geom, metres=None):
        """Places within `metres` of `geom` (a geometry in GUICHET_SRID), nearest first, each
        annotated with `distance` (metres, exact in the projected CRS). `dwithin` on the GiST
        index of place.geom does the filtering; Distance only runs on the survivors."""
        metres = settings.GUICHET_PROXIMITY_M if metres is None else metres
        return (
            self.filter(geom__dwithin=(geom, D(m=metres)))
            .annotate(distance=Distance("geom", geom))
            .select_related("category")
            .order_by("distance", "pk")
        )


class AddressPointQuerySet(models.QuerySet):
    def near(self, geom, metres):
        return self.filter(geom__dwithin=(geom, D(m=metres)))
