"""Never slow, never down because of the library (issue 16, point 5).

Every call to the library's system goes through `call()`: the connector's own deadline bounds
it (GUICHET_LIBRARY_TIMEOUT_S), and a circuit breaker stops calling a system that keeps failing.
After GUICHET_LIBRARY_BREAKER_FAILURES failures in a row the breaker opens: for
GUICHET_LIBRARY_BREAKER_OPEN_S seconds nothing calls the system, every page says at once that it
does not answer. Then one call is let through (half-open): a success closes the breaker, a
failure opens it again at once. The state is kept in Django's cache, which every worker process
shares (a table of the database, or Redis): one breaker for the site, not one per process that
would each pay the timeouts again.

A card's record is kept in the same cache for GUICHET_LIBRARY_CACHE_S seconds (5 minutes): the
titles a citizen borrowed are never written to the database, and are gone from the cache soon
after the citizen stops looking."""
from django.conf import settings
from django.core.cache import cache

from .connectors import get_connector
from .connectors.base import IlsUnavailable, PatronRecord

OPEN = "library:breaker:open"
FAILURES = "library:breaker:failures"
TRIPPED = "library:breaker:tripped"  # opened lately: the next failure opens it again at once


class NotConfigured(IlsUnavailable):
    """No library system is configured (GUICHET_LIBRARY_SIP2_HOST is empty)."""


def is_open() -> bool:
    return cache.get(OPEN) is not None


def failing() -> bool:
    """The system does not answer: the breaker is open, or the last call failed."""
    found = cache.get_many([OPEN, FAILURES])
    return bool(found.get(OPEN) or found.get(FAILURES))


def _failed() -> None:
    limit = settings.GUICHET_LIBRARY_BREAKER_FAILURES
    open_s = settings.GUICHET_LIBRARY_BREAKER_OPEN_S
    if cache.get(TRIPPED) is not None:
        failures = limit
    else:
        failures = (cache.get(FAILURES) or 0) + 1
    if failures >= limit:
        cache.set(OPEN, True, open_s)
        cache.set(TRIPPED, True, open_s * 10)
        cache.delete(FAILURES)
    else:
        cache.set(FAILURES, failures, open_s * 10)


def _succeeded() -> None:
    found = cache.get_many([FAILURES, TRIPPED])
    if found:
        cache.delete_many(list(found))


def call(method: str, *args):
    """`connector.method(*args)` through the breaker; IlsUnavailable when the system fails,
    is skipped (breaker open) or is not configured."""
    connector = get_connector()
    if connector is None:
        raise NotConfigured("no library system is configured")
    if is_open():
        raise IlsUnavailable("the circuit breaker is open")
    try:
        result = getattr(connector, method)(*args)
    except IlsUnavailable:
        _failed()
        raise
    _succeeded()
    return result


def reset() -> None:
    cache.delete_many([OPEN, FAILURES, TRIPPED])


# The short cache of records

def _record_key(card_id) -> str:
    return f"library:record:{card_id}"


def cached_record(card_id) -> PatronRecord | None:
    return cache.get(_record_key(card_id))


def keep_record(card_id, record: PatronRecord) -> None:
    cache.set(_record_key(card_id), record, settings.GUICHET_LIBRARY_CACHE_S)


def forget_record(card_id) -> None:
    cache.delete(_record_key(card_id))


def cached_records(card_ids) -> dict:
    """{card id: record} of the cards whose record is in the cache (one read)."""
    keys = {_record_key(card_id): card_id for card_id in card_ids}
    return {keys[key]: record for key, record in cache.get_many(list(keys)).items()}
