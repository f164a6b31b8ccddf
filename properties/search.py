"""Finding a property: type-ahead on civic addresses (number + fuzzy street), matricule, lot."""
from django.contrib.gis.db.models.functions import Transform
from django.db import connection, transaction
from django.urls import reverse

from .models import CivicAddress, Property

# pg_trgm's default word-similarity threshold (0.6) rejects one-letter typos in short street
# names ("boyre" for "boyer"); 0.45 keeps them while still discarding unrelated streets.
WORD_SIMILARITY_THRESHOLD = 0.45
MAX_QUERY_LENGTH = 200


def find_properties(query: str, limit: int = 10) -> list[dict]:
    query = (query or "").strip()
    if len(query) < 2:
        return []
    matches, seen = [], set()
    by_id = (Property.objects.matching_identifier(query)
             .annotate(point=Transform("address_point", 4326))
             .prefetch_related("addresses")[:limit])
    for prop in by_id:
        first = next(iter(prop.addresses.all()), None)
        matches.append(_match(prop.pk, f"{prop.matricule} — {first.label if first else ''}",
                              prop.matricule, prop.point))
        seen.add(prop.pk)
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL pg_trgm.word_similarity_threshold = %s",
                    [WORD_SIMILARITY_THRESHOLD])
        addresses = list(CivicAddress.objects.search(query, limit=limit)
                         .annotate(point=Transform("property__address_point", 4326)))
    for address in addresses:
        if address.property_id not in seen and len(matches) < limit:
            seen.add(address.property_id)
            matches.append(_match(address.property_id, address.label,
                                  address.property.matricule, address.point))
    return matches


def _match(pk, label, matricule, point):
    return {"property_id": pk, "label": label, "matricule": matricule,
            "url": reverse("portal:property", args=[pk]),
            "lon": round(point.x, 6) if point else None,
            "lat": round(point.y, 6) if point else None}
