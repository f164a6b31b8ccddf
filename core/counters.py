"""Counts in the shared cache (Django's cache: the database table by default, Redis when
configured), so that every worker process counts the same, for the throttles that are not the
sign-in's (allauth keeps its own)."""
from django.core.cache import cache


def count(key: str, seconds: int) -> int:
    """One more for `key`, in a window of `seconds` from its first; the count now."""
    if cache.add(key, 1, timeout=seconds):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired in between
        cache.add(key, 1, timeout=seconds)
        return 1
