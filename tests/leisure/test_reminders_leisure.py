"""Leisure reminders (leisure/reminders.py) through the alerts app's job (alerts.reminders
.queue_due, as `manage.py send_reminders` runs it) and core.reminders.send_now:

- "leisure_tomorrow": due from 17:00 the evening before the group's FIRST session (a skipped
  first date moves it), once; the first sessions computed here by dateutil;
- "leisure_offer" and "leisure_cancelled": queued at once by leisure.notifications for a
  citizen who has a subscriber; the job finds the same key (nothing twice) and sends what a
  lost task did not."""
import datetime as dt

import pytest
from django.utils import timezone

from alerts import reminders as queue
from alerts.models import Delivery, Subscriber
from leisure import notifications, services
from leisure.models import Group, Registration, TimeSlot
from tests.leisure.test_week import TZ, independent_dates, world  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
S = Registration.Status


def evening(day: dt.date, hour=17, minute=0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), TZ)


def tomorrow_rows():
    return sorted((d.subscriber.user.username, d.subject, d.on)
                  for d in Delivery.objects.filter(kind="leisure_tomorrow")
                  .select_related("subscriber__user"))


def first_session(w, code) -> dt.date:
    return min(min(independent_dates(spec)) for spec in w.specs[code])


@pytest.fixture
def subscribed(request):
    w = request.getfixturevalue("world")
    Subscriber.objects.create(user=w.alice, language="fr")
    Subscriber.objects.create(user=w.bob, language="en")
    return w


def test_starts_tomorrow_the_evening_before_the_first_session_once(
        subscribed, mailoutbox, django_capture_on_commit_callbacks):
    w = subscribed
    # A group whose first date is skipped: its first session is a week later.
    friday = w.start + dt.timedelta(days=4)
    spec = {"rule": "FREQ=WEEKLY;BYDAY=FR", "starts_on": friday, "ends_on": w.season.ends_on,
            "start_time": dt.time(16), "end_time": dt.time(17), "exceptions": [friday]}
    late = Group.objects.create(season=w.season, code="W-LATE-1", activity=w.chess.activity,
                                place=w.chess.place, age_min=0, age_max=99, age_on=w.start,
                                capacity=5, fee_resident=0, fee_non_resident=0)
    TimeSlot.objects.create(group=late, **spec)
    w.specs["W-LATE-1"] = [spec]
    w.register(w.alice, late, [w.max])

    def reg(member, group):
        return f"registration:{Registration.objects.get(member=member, group=group).pk}"

    expected = {}  # the evening's date: the rows it adds
    for member, group, user in [(w.lea, w.swim, "alice"), (w.lea, w.paint, "alice"),
                                (w.max, w.paint, "alice"), (w.zoe, w.paint, "bob"),
                                (w.zoe, w.chess, "bob"), (w.max, late, "alice")]:
        first = first_session(w, group.code)
        expected.setdefault(first - dt.timedelta(days=1), set()).add(
            (user, reg(member, group), first))
    # Noé only waits for chess, Max too: no "starts tomorrow" for them there.
    assert first_session(w, "W-LATE-1") == friday + dt.timedelta(days=7)
    days = sorted(expected)
    done: set = set()
    for day in [w.start - dt.timedelta(days=2)] + days + [days[-1] + dt.timedelta(days=1)]:
        with django_capture_on_commit_callbacks(execute=True):
            queue.queue_due(evening(day, 16, 59), kinds=["leisure_tomorrow"])
        assert set(tomorrow_rows()) == done  # not before 17:00
        for moment in (evening(day), evening(day, 21, 30)):  # twice the same evening
            with django_capture_on_commit_callbacks(execute=True):
                queue.queue_due(moment, kinds=["leisure_tomorrow"])
            assert set(tomorrow_rows()) == done | expected.get(day, set())
        done |= expected.get(day, set())
        # The session's own day: nothing more.
        with django_capture_on_commit_callbacks(execute=True):
            queue.queue_due(evening(day + dt.timedelta(days=1), 8), kinds=["leisure_tomorrow"])
        assert set(tomorrow_rows()) == done
    assert len(tomorrow_rows()) == 6  # one per registration, never twice
    subjects = sorted(m.subject for m in mailoutbox)
    assert len(subjects) == 6
    assert "Starts tomorrow: Painting W for Zoé Test" in subjects
    assert "Commence demain : Peinture W pour Léa Test" in subjects
    bob_paint = next(m for m in mailoutbox if m.subject.endswith("Painting W for Zoé Test"))
    assert "Parc" in bob_paint.body or "École" in bob_paint.body
    assert "/loisirs/notre-semaine/" in bob_paint.body


def test_a_registration_cancelled_before_the_evening_is_not_reminded(subscribed):
    w = subscribed
    services.cancel(Registration.objects.get(member=w.lea, group=w.paint).pk, user=w.alice)
    queue.queue_due(evening(w.start - dt.timedelta(days=1)), kinds=["leisure_tomorrow"])
    assert [(u, s.split(":")[0]) for u, s, _on in tomorrow_rows()] == [
        ("alice", "registration"), ("bob", "registration")]  # Max's and Zoé's paint


def test_offer_and_cancellation_reach_a_subscriber_once_and_the_job_catches_up(
        subscribed, mailoutbox, django_capture_on_commit_callbacks, django_user_model,
        monkeypatch):
    w = subscribed
    # Zoé leaves chess: Noé (Bob's, first on the list) is offered the seat, told at once.
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(Registration.objects.get(member=w.zoe, group=w.chess).pk, user=w.bob)
    noe = Registration.objects.get(member=w.noe, group=w.chess)
    assert noe.status == S.OFFERED
    [row] = Delivery.objects.filter(kind="leisure_offer")
    assert (row.subscriber.user, row.subject, row.on) == (
        w.bob, f"registration:{noe.pk}", timezone.localdate(noe.offer_until))
    [message] = mailoutbox
    assert message.subject == "A seat is free for Noé Test: Chess W"
    assert "Accept it or decline it before" in message.body
    with django_capture_on_commit_callbacks(execute=True):
        queue.queue_due(timezone.now(), kinds=["leisure_offer"])
    assert Delivery.objects.filter(kind="leisure_offer").count() == 1 and len(mailoutbox) == 1

    # Bob declines: Max (Alice's) is offered it, but the task is lost (a crash): the job sends.
    monkeypatch.setattr(notifications, "tell_offers", lambda ids: None)
    with django_capture_on_commit_callbacks(execute=True):
        services.decline_offer(w.bob, noe.pk)
    max_ = Registration.objects.get(member=w.max, group=w.chess)
    assert max_.status == S.OFFERED and len(mailoutbox) == 1
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            queue.queue_due(timezone.now(), kinds=["leisure_offer"])
    assert len(mailoutbox) == 2
    assert mailoutbox[1].subject == "Une place est libre pour Max Test : Échecs W"
    assert Delivery.objects.filter(kind="leisure_offer", subject=f"registration:{max_.pk}",
                                   subscriber__user=w.alice).count() == 1
    # Accepted: an offer no longer holds, the sender would drop it.
    services.accept_offer(w.alice, max_.pk)
    late = Delivery.objects.get(kind="leisure_offer", subject=f"registration:{max_.pk}")
    assert queue.render_delivery(late) is None

    # The city cancels painting: Léa, Max (Alice) and Zoé (Bob) told at once, once each.
    clerk = django_user_model.objects.create_user("commis", is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_group(clerk, w.paint.pk)
    rows = Delivery.objects.filter(kind="leisure_cancelled")
    assert sorted(rows.values_list("subscriber__user__username", flat=True)) == [
        "alice", "alice", "bob"]
    assert all(r.on == timezone.localdate() for r in rows)
    cancelled = [m for m in mailoutbox[2:]]
    assert sorted(m.subject for m in cancelled) == [
        "Annulé : Peinture W (W-PAINT-1)", "Annulé : Peinture W (W-PAINT-1)",
        "Cancelled: Painting W (W-PAINT-1)"]
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            queue.queue_due(timezone.now(), kinds=["leisure_cancelled"])
    assert rows.count() == 3 and len(mailoutbox) == 5


def test_a_lost_cancellation_task_is_sent_by_the_job(subscribed, mailoutbox, monkeypatch,
                                                    django_capture_on_commit_callbacks,
                                                    django_user_model):
    w = subscribed
    monkeypatch.setattr(notifications, "tell_group_cancelled", lambda ids: None)
    clerk = django_user_model.objects.create_user("commis", is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_group(clerk, w.chess.pk)  # Zoé registered, Noé and Max waiting
    assert mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        queue.queue_due(timezone.now(), kinds=["leisure_cancelled"])
    assert sorted(m.to[0] for m in mailoutbox) == [
        "alice@courriel.example", "bob@courriel.example", "bob@courriel.example"]
    # Past the look-back, the job no longer computes it.
    Delivery.objects.all().delete()
    queue.queue_due(timezone.now() + dt.timedelta(days=3), kinds=["leisure_cancelled"])
    assert not Delivery.objects.exists()
