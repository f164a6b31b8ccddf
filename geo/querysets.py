"""Named spatial reads."""
from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.measure import D
from django.contrib.postgres.search import TrigramWordSimilarity

from .addresses import split_civic


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

    def search(self, query, limit=10):
        """Type-ahead over the address points, as properties' CivicAddress.search over the roll:
        the civic number exact when typed (search_text starts with it; a letter suffix, "12a",
        still matches "12"), the street fuzzy (pg_trgm word similarity on the GIN trigram index
        of search_text), each annotated with `score` (0 without a street)."""
        number, street = split_civic(query)
        qs = self
        if number:
            # A regular expression the GIN trigram index serves (pg_trgm), like the street.
            qs = qs.filter(search_text__regex=rf"^{number}[a-z]?( |$)")
        if street:
            qs = (qs.annotate(score=TrigramWordSimilarity(street, "search_text"))
                  .filter(search_text__trigram_word_similar=street)
                  .order_by("-score", "search_text", "pk"))
        else:
            qs = qs.annotate(score=models.Value(0.0)).order_by("search_text", "pk")
        return qs[:limit]
