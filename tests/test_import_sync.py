"""core.importers.sync.Syncer on a real table (the demo's OSM places): what a newer file no
longer holds is reported and removed only on commit; a duplicate key is refused; a file that
would delete or change too much is refused unless forced."""
import pytest

from core.importers.report import ImportFailed, ImportReport
from core.importers.sync import Syncer
from geo.models import Place

pytestmark = pytest.mark.django_db


def osm_places():
    return Place.objects.filter(source="osm")


def test_rows_no_longer_in_the_file_are_reported_then_removed_on_commit():
    keys = list(osm_places().values_list("source_id", flat=True))
    assert len(keys) > 10
    dropped = keys[:2]
    for commit in (False, True):
        report = ImportReport()
        syncer = Syncer(osm_places(), "source_id", report, "places")
        for key in keys[2:]:
            assert syncer.seen(key)
        assert sorted(syncer.finish(commit=commit)) == sorted(dropped)
        assert report.retired == 2 and dropped[0] in report.render()
        assert osm_places().filter(source_id__in=dropped).exists() is not commit


def test_a_key_seen_twice_is_skipped_and_reported():
    report = ImportReport()
    syncer = Syncer(osm_places(), "source_id", report, "places")
    assert syncer.seen("node/1") and not syncer.seen("node/1")
    assert report.skipped[0][0] == "node/1"


def test_a_file_that_would_delete_or_change_too_much_is_refused_unless_forced():
    # The places that the demo's leisure groups meet at first: kept (the sync refuses to delete
    # a place in use, tests/leisure/test_import.py).
    keys = sorted(osm_places().values_list("source_id", flat=True),
                  key=lambda key: not osm_places().filter(source_id=key,
                                                          leisure_groups__isnull=False).exists())
    keep = keys[: int(len(keys) * 0.6)]
    syncer = Syncer(osm_places(), "source_id", ImportReport(), "places")
    for key in keep:
        syncer.seen(key)
    with pytest.raises(ImportFailed, match="--force"):
        syncer.finish(commit=True)
    assert osm_places().count() == len(keys)
    changed = Syncer(osm_places(), "source_id", ImportReport(), "places")
    for key in keys:
        changed.seen(key, changed=key in keep)
    with pytest.raises(ImportFailed):
        changed.finish(commit=True)
    forced = Syncer(osm_places(), "source_id", ImportReport(), "places", force=True)
    for key in keep:
        forced.seen(key)
    forced.finish(commit=True)
    assert osm_places().count() == len(keep)
