"""The seats counted under a group's lock on every confirmation (leisure.services.SEATS_SQL, one
statement written in SQL for the rush) are the seats Registration.takes_a_seat defines, which
the catalogue counts: on every status, with an offer or a hold ending before, at or after the
moment counted, or none; another group's registrations are not counted."""
import datetime as dt
import itertools

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from citizens.models import HouseholdMember
from leisure import services
from leisure.models import Registration

from .test_registration import activity, group_in, place, season  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
S = Registration.Status


def _fill(group, user, now, seq):
    """One registration of every status with each end (offer_until and held_until alike):
    none, a second before `now`, exactly `now`, a second after."""
    ends = [None, now - dt.timedelta(seconds=1), now, now + dt.timedelta(seconds=1)]
    for n, (status, end) in enumerate(itertools.product(S.values, ends)):
        member = HouseholdMember.objects.create(user=user, first_name=f"M{group.pk}-{n}",
                                                last_name="Test", birth_year=2015)
        Registration.objects.create(
            group=group, user=user, member=member, status=status, offer_until=end,
            held_until=end, seq=None if status in (S.IN_BASKET, S.CANCELLED) else next(seq))


def test_the_lock_counts_the_seats_that_takes_a_seat_defines(season, activity, place):  # noqa: F811
    user = get_user_model().objects.create_user("seats@example.org", "seats@example.org",
                                                "pw-long-enough-123")
    now = timezone.now()
    seq = itertools.count(1)
    counted = group_in(season, activity, place, "SEATS-1", capacity=40, waiting=40)
    other = group_in(season, activity, place, "SEATS-2", capacity=40, waiting=40)
    _fill(counted, user, now, seq)
    _fill(other, user, now, seq)

    mine = Registration.objects.filter(group=counted)
    expected = services.Seats(
        taken=mine.filter(Registration.takes_a_seat(now)).count(),
        waiting=mine.filter(status=S.WAITING).count(),
        expired=mine.filter(status=S.OFFERED, offer_until__lte=now).count())
    # Not a vacuous comparison: each count has rows in and rows out.
    assert 0 < expected.taken < mine.count()
    assert 0 < expected.waiting < mine.count()
    assert 0 < expected.expired < mine.count()
    assert services._seats(counted, now) == expected
