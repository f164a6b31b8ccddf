"""Several entries of Django's cache read in one `get_many` and what was missing written back in
one `set_many` (the database cache answers each call with a query):

    with CacheBatch(keys, timeout) as batch:
        a = batch.get(key_a, compute_a, arg)
        b = batch.get(key_b, compute_b)

A missing entry is computed once per batch (a second `get` of the same key finds it), written
when the block ends without an error. A key of None means "not cacheable": computed each time.
`hits`: what the caller read already for these keys, in its own get_many (absent keys are
misses); the batch then reads nothing."""
from django.core.cache import cache


class CacheBatch:
    def __init__(self, keys, timeout: int, hits: dict | None = None):
        self.timeout = timeout
        wanted = [key for key in keys if key is not None]
        self.hits = hits if hits is not None else (cache.get_many(wanted) if wanted else {})
        self.misses = {}

    def get(self, key, compute, *args):
        if key is None:
            return compute(*args)
        value = self.hits.get(key, self.misses.get(key))
        if value is None:
            value = self.misses[key] = compute(*args)
        return value

    def __enter__(self):
        return self

    def __exit__(self, kind, error, trace):
        if kind is None and self.misses:
            cache.set_many(self.misses, self.timeout)
        return False
