"""A collection rule comes back daily at most often (issue 11): FREQ=SECONDLY, MINUTELY or
HOURLY, or hour/minute/second parts, are refused by the importer and the model's validation
(the admin), and a rule saved before that gives no date instead of hanging the pages."""
import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError

from collections_schedule.importers.zones import import_zones
from collections_schedule.recurrence import regular_dates
from tests.collections_schedule.factories import active_zone

pytestmark = pytest.mark.django_db

TOO_OFTEN = ["FREQ=SECONDLY", "RRULE:FREQ=MINUTELY;INTERVAL=1", "freq=hourly",
             "FREQ=DAILY;BYHOUR=0,6,12,18", "FREQ=WEEKLY;BYDAY=TU;BYMINUTE=0,30",
             "FREQ=DAILY;BYSECOND=1"]


def test_the_importer_skips_a_rule_more_frequent_than_daily(data_dir, tmp_path):
    source = json.loads((data_dir / "zones_guichet_bad_rows.geojson").read_text())
    valid = source["features"][0]  # Z-A, weekly on Tuesday
    features = []
    for n, rule in enumerate([*TOO_OFTEN, "FREQ=DAILY", "FREQ=WEEKLY;BYDAY=TU"]):
        feature = json.loads(json.dumps(valid))
        feature["properties"].update(code=f"Z-{n}", rrules=rule)
        features.append(feature)
    path = tmp_path / "zones.geojson"
    path.write_text(json.dumps({**source, "features": features}))
    report = import_zones(path, stream="garbage", name="trop souvent", commit=True)
    assert report.created == 2
    assert len(report.skipped) == len(TOO_OFTEN)
    for (_ref, reason), rule in zip(report.skipped, TOO_OFTEN, strict=True):
        assert rule.split(";")[0].removeprefix("RRULE:").split("=")[0].upper() in reason.upper()


def test_the_models_validation_refuses_a_rule_more_frequent_than_daily():
    zone = active_zone("garbage", "FREQ=WEEKLY;BYDAY=TU", dt.date(2026, 1, 6))
    zone.full_clean()
    for rule in TOO_OFTEN:
        zone.rrules = rule
        with pytest.raises(ValidationError) as error:
            zone.full_clean()
        assert list(error.value.message_dict) == ["rrules"], rule
    zone.rrules = "BYDAY=TU"
    with pytest.raises(ValidationError):
        zone.full_clean()


def test_a_saved_rule_more_frequent_than_daily_gives_no_date():
    zone = active_zone("garbage", "FREQ=SECONDLY", dt.date(2026, 1, 6))
    # (A single day: the old code would give that day's midnight; a year took minutes.)
    assert regular_dates(zone, dt.date(2026, 1, 6), dt.date(2026, 1, 6)) == []
    assert regular_dates(zone, dt.date(2026, 1, 1), dt.date(2027, 1, 1)) == []
