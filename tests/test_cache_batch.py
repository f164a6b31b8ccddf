"""core.cache_batch: several cache entries in one read and one write, each missing one computed
once. Against the project's real cache (the database table of the test database)."""
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.cache_batch import CacheBatch

pytestmark = pytest.mark.django_db


def test_a_missing_entry_is_computed_once_and_kept_and_the_next_batch_reads_it():
    cache.clear()
    calls = []

    def compute(x):
        calls.append(x)
        return x * 2

    with CaptureQueriesContext(connection) as queries:
        with CacheBatch(["a", "b", None], 60) as batch:
            assert batch.get("a", compute, 1) == 2
            assert batch.get("a", compute, 1) == 2  # a second card of the same key
            assert batch.get(None, compute, 3) == 6  # not cacheable: computed each time
            assert batch.get(None, compute, 3) == 6
    assert calls == [1, 3, 3]
    # One get_many for "a" and "b" (the database cache's set_many checks each key it writes).
    reads = [q["sql"] for q in queries.captured_queries if '"value"' in q["sql"]
             and q["sql"].lstrip().startswith("SELECT")]
    assert len(reads) == 1, reads
    assert cache.get("a") == 2 and cache.get("b") is None

    with CacheBatch(["a"], 60) as batch:
        assert batch.get("a", compute, 1) == 2
    assert calls == [1, 3, 3]


def test_nothing_is_written_when_the_block_fails_and_given_hits_are_not_read_again():
    cache.clear()
    with pytest.raises(RuntimeError):
        with CacheBatch(["a"], 60) as batch:
            batch.get("a", lambda: "computed")
            raise RuntimeError("the page failed after computing")
    assert cache.get("a") is None

    with CaptureQueriesContext(connection) as queries:
        batch = CacheBatch(["a"], 60, hits={"a": "read by the page"})
    assert not queries.captured_queries
    assert batch.get("a", lambda: "computed") == "read by the page"
