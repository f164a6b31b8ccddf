"""A test season built for the catalogue's filters, beside the demo's (at real demo places)."""
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from geo.models import Place
from leisure.models import Activity, ActivityCategory, Group, Season, TimeSlot

TZ = ZoneInfo("America/Montreal")
BORN = dt.date(2019, 10, 3)  # the child of the age filters: 7 on 2026-10-03


def make_group(season, code, activity, place, *, ages=(0, 99), age_on=None, capacity=10,
               slots=(), **extra):
    group = Group.objects.create(
        season=season, code=code, activity=activity, place=place, age_min=ages[0],
        age_max=ages[1], age_on=age_on or season.starts_on, capacity=capacity,
        fee_resident=Decimal("50.00"), fee_non_resident=Decimal("75.00"), **extra)
    for rule, start, end, starts_on, ends_on in slots:
        TimeSlot.objects.create(group=group, rule=rule, start_time=start, end_time=end,
                                starts_on=starts_on, ends_on=ends_on)
    return group


@pytest.fixture
def test_season():
    """Season "T2026" (September to December 2026) with groups whose differences are what the
    filters read: ages at reference dates around BORN's 7th birthday, days, times of day,
    places and categories."""
    season = Season.objects.create(
        code="T2026", name_fr="Automne test", name_en="Test fall", starts_on=dt.date(2026, 9, 7),
        ends_on=dt.date(2026, 12, 20),
        residents_from=dt.datetime(2026, 8, 18, 19, tzinfo=TZ),
        everyone_from=dt.datetime(2026, 8, 20, 19, tzinfo=TZ),
        closes_at=dt.datetime(2026, 9, 12, 23, 59, tzinfo=TZ))
    swim = ActivityCategory.objects.create(code="t-aqua", name_fr="Aquatique T",
                                           name_en="Aquatics T")
    arts = ActivityCategory.objects.create(code="t-arts", name_fr="Arts T", name_en="Arts T")
    splash = Activity.objects.create(code="T-SPLASH", category=swim, title_fr="Éclaboussure",
                                     title_en="Splash")
    paint = Activity.objects.create(code="T-PAINT", category=arts, title_fr="Peinture",
                                    title_en="Painting")
    park = Place.objects.get(name="Parc Bellevue")
    school = Place.objects.get(name="École primaire Edgewater")
    mon, sat = "FREQ=WEEKLY;BYDAY=MO", "FREQ=WEEKLY;BYDAY=SA"
    sept, dec = dt.date(2026, 9, 7), dt.date(2026, 12, 14)
    sat1 = dt.date(2026, 9, 12)
    groups = {
        # ages at the reference date, for a child born 2019-10-03
        "AGE-4-6": make_group(season, "AGE-4-6", splash, park, ages=(4, 6),
                              age_on=dt.date(2026, 9, 30),  # 6: in
                              slots=[(sat, dt.time(9), dt.time(10), sat1, dec)]),
        "AGE-7-9-SEPT30": make_group(season, "AGE-7-9-SEPT30", splash, park, ages=(7, 9),
                                     age_on=dt.date(2026, 9, 30),  # still 6: out
                                     slots=[(sat, dt.time(10), dt.time(11), sat1, dec)]),
        "AGE-7-9-OCT3": make_group(season, "AGE-7-9-OCT3", splash, park, ages=(7, 9),
                                   age_on=dt.date(2026, 10, 3),  # 7 that day: in
                                   slots=[(mon, dt.time(17), dt.time(18), sept, dec)]),
        "AGE-7-9-OCT2": make_group(season, "AGE-7-9-OCT2", splash, park, ages=(7, 9),
                                   age_on=dt.date(2026, 10, 2),  # the day before: out
                                   slots=[(mon, dt.time(12), dt.time(13), sept, dec)]),
        # days and times of day: a Saturday morning slot and a Wednesday evening one
        "TWO-SLOTS": make_group(season, "TWO-SLOTS", paint, school, ages=(18, 99), slots=[
            (sat, dt.time(10, 30), dt.time(11, 30), sat1, dec),
            ("FREQ=WEEKLY;BYDAY=WE", dt.time(18, 30), dt.time(20), dt.date(2026, 9, 9), dec)]),
        "TUE-THU": make_group(season, "TUE-THU", paint, school, ages=(18, 99), slots=[
            ("FREQ=WEEKLY;BYDAY=TU,TH", dt.time(13), dt.time(14), dt.date(2026, 9, 8), dec)]),
    }
    return season, groups
