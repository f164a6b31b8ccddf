"""Named reads for properties and addresses."""
from django.contrib.gis.db import models
from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.measure import D
from django.contrib.postgres.search import TrigramWordSimilarity
from django.db.models import Q

from geo.addresses import split_civic


class PropertyQuerySet(models.QuerySet):
    def at_point(self, point, tolerance_m=15):
        """The property under a map click: the parcel covering the point (GiST on parcel), else
        the nearest address point within `tolerance_m`."""
        hit = self.filter(parcel__covers=point).first()
        if hit:
            return hit
        return (self.filter(address_point__dwithin=(point, D(m=tolerance_m)))
                .annotate(d=Distance("address_point", point)).order_by("d").first())

    def matching_identifier(self, text):
        """By matricule (digits, with or without dashes/spaces) or by lot number."""
        digits = "".join(c for c in text if c.isdigit())
        if len(digits) < 6:
            return self.none()
        return self.filter(Q(matricule__startswith=_format_matricule_prefix(digits))
                           | Q(lots__contains=[digits]))


def _format_matricule_prefix(digits: str) -> str:
    """"1234567890" -> "1234-56-7890": the dash pattern of a matricule, as far as typed."""
    parts, sizes, i = [], (4, 2, 4, 1, 3, 4), 0
    for size in sizes:
        if i >= len(digits):
            break
        parts.append(digits[i:i + size])
        i += size
    return "-".join(parts)


class CivicAddressQuerySet(models.QuerySet):
    def search(self, query, limit=10):
        """Type-ahead: civic number exact when typed, street fuzzy (pg_trgm word similarity on
        the GIN trigram index of search_text), accents/case/abbreviations folded beforehand."""
        number, street = split_civic(query)
        qs = self
        if number:
            qs = qs.filter(civic_int=int(number))
        if street:
            qs = (qs.annotate(score=TrigramWordSimilarity(street, "search_text"))
                  .filter(search_text__trigram_word_similar=street)  # %> uses the GIN index
                  .order_by("-score", "civic_int", "label"))
        else:
            qs = qs.order_by("search_text")
        return qs.select_related("property")[:limit]
