"""Personal reminders (issue 13 part 3): core.reminders, the kinds registered by their apps,
alerts.reminders.queue_due and render_delivery, manage.py send_reminders.

"Collection tomorrow" is checked against a schedule computed independently of the schedule
code: the demo's zone files (data/pincourt/zones-*-generated.geojson) read with shapely and
projected with pyproj (tests/independent.py), their RRULEs expanded with dateutil, the holiday
policy of data/…/streams.json applied by hand to the Holiday rows (the only thing read from
the database besides the property's point)."""
import dataclasses
import datetime as dt
import json
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
import shapely
from dateutil.rrule import rrulestr
from django.core.management import CommandError, call_command
from django.utils import timezone
from shapely.geometry import shape

from alerts import reminders as queue
from alerts.models import Delivery, Subscriber, Subscription
from core import reminders as registry
from tests.independent import DEMO, project

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
STREAMS = {s["slug"]: s for s in json.loads(
    (ROOT / "collections_schedule/fixtures/streams.json").read_text())}
KINDS = {"collection_tomorrow", "watering_ban", "tax_instalment_due", "tax_overdue",
         "request_received", "request_updated", "link_decided"}


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


# --- the independent schedule -------------------------------------------------------------

def independent_dates(point, start: dt.date, end: dt.date, holidays: set) -> dict:
    """{stream slug: set of collection dates in [start, end]} at `point` (storage CRS)."""
    out = {}
    for path in sorted(DEMO.glob("zones-*-generated.geojson")):
        slug = path.name.removeprefix("zones-").removesuffix("-generated.geojson")
        for feature in json.loads(path.read_text())["features"]:
            if not project(shape(feature["geometry"])).covers(shapely.Point(point.x, point.y)):
                continue
            props = feature["properties"]
            dtstart = dt.datetime.fromisoformat(props["dtstart"])
            days = set()
            for line in props["rrules"].strip().splitlines():
                rule = rrulestr(line.strip(), dtstart=dtstart)
                days |= {d.date() for d in rule.between(
                    dt.datetime.combine(start - dt.timedelta(days=7), dt.time()),
                    dt.datetime.combine(end + dt.timedelta(days=7), dt.time()), inc=True)}
            policy = STREAMS[slug]["holiday_policy"]
            shifted = set()
            for day in days:
                if day in holidays and policy != "keep":
                    if policy == "cancel":
                        continue
                    step = dt.timedelta(days=1 if policy == "next_day" else -1)
                    while day in holidays:
                        day += step
                shifted.add(day)
            out[slug] = {d for d in shifted if start <= d <= end}
            break
    return out


@pytest.fixture
def home():
    """A demo property with an address point; its demo tax bills removed (each test makes its
    own); the demo has no collection exception (the expansion above ignores them)."""
    from collections_schedule.models import CollectionException
    from properties.models import Property

    assert not CollectionException.objects.exists()
    prop = (Property.objects.filter(address_point__isnull=False, retired_roll_year__isnull=True,
                                    addresses__isnull=False).order_by("pk").first())
    prop.tax_bills.all().delete()
    return prop


@pytest.fixture
def holidays():
    from collections_schedule.models import Holiday

    return set(Holiday.objects.values_list("date", flat=True))


def subscribe(prop, *, wants, channels=("email",), user=None, email="", phone="",
              language="fr"):
    subscriber = (Subscriber.objects.get_or_create(user=user, defaults={"language": language})[0]
                  if user else Subscriber.objects.create(
                      email=email, phone=phone, language=language,
                      confirmed_at=timezone.now()))
    Subscription.objects.create(subscriber=subscriber, property=prop, channels=list(channels),
                                reminders=list(wants))
    return subscriber


def rows(**filters):
    return sorted(Delivery.objects.filter(**filters)
                  .values_list("subscriber_id", "channel", "kind", "subject", "on"))


# --- the registry ------------------------------------------------------------------------

def test_every_kind_is_registered_by_its_app():
    assert {k.code for k in registry.kinds()} >= KINDS
    assert registry.get("tax_overdue").audience == "tax_viewers"
    assert registry.audience("tax_viewers") is not None
    assert {k.code for k in registry.kinds() if k.scope == registry.PERSON} == {
        "request_received", "request_updated", "link_decided", "library_due_soon",
        "library_overdue", "library_hold_ready", "library_balance", "leisure_tomorrow",
        "leisure_offer", "leisure_cancelled"}
    codes = [code for code, _label in registry.choices()]
    assert "collection_tomorrow:garbage" in codes


# --- collection tomorrow ------------------------------------------------------------------

def first_quiet_collection(home, holidays):
    """The first date from 2026-03-02 on with a collection at `home`, no holiday near it."""
    day = dt.date(2026, 3, 2)
    dates = independent_dates(home.address_point, day, day + dt.timedelta(days=120), holidays)
    for d in sorted(set().union(*dates.values())):
        if not any(d + dt.timedelta(days=k) in holidays for k in range(-8, 9)):
            return d, {slug for slug, ds in dates.items() if d in ds}, dates
    raise AssertionError("no collection without a holiday near it")


def test_collection_tomorrow_the_evening_before_per_stream(home, holidays):
    day, streams, dates = first_quiet_collection(home, holidays)
    everyone = subscribe(home, wants=["collection_tomorrow"], email="tous@courriel.example",
                         channels=["email", "sms"], phone="+15145550101")
    garbage = subscribe(home, wants=["collection_tomorrow:garbage"],
                        email="ordures@courriel.example")
    nothing = subscribe(home, wants=["watering_ban"], email="arrosage@courriel.example")
    eve = day - dt.timedelta(days=1)

    assert queue.queue_due(at(eve, 16, 59), kinds=["collection_tomorrow"]).ids == []
    result = queue.queue_due(at(eve, 18), kinds=["collection_tomorrow"])
    expected = {(everyone.pk, channel, "collection_tomorrow",
                 f"property:{home.pk}:stream:{slug}", day)
                for slug in streams for channel in ("email", "sms")}
    if "garbage" in streams:
        expected.add((garbage.pk, "email", "collection_tomorrow",
                      f"property:{home.pk}:stream:garbage", day))
    assert set(rows()) == expected and len(result.ids) == len(expected)
    assert not Delivery.objects.filter(subscriber=nothing).exists()
    # Every day of the next fortnight, in the evening: the streams of the next day exactly.
    Delivery.objects.all().delete()
    for offset in range(14):
        d = day + dt.timedelta(days=offset)
        queue.queue_due(at(d - dt.timedelta(days=1), 20), kinds=["collection_tomorrow"])
        got = {s.rsplit(":", 1)[1] for s in Delivery.objects.filter(
            subscriber=everyone, on=d, channel="email").values_list("subject", flat=True)}
        assert got == {slug for slug, ds in dates.items() if d in ds}, d


def test_a_holiday_shift_moves_the_reminder(home, holidays):
    """A collection falling on a holiday (policy next_day): the reminder comes the evening of
    the holiday, for the day after, and nothing the evening before the holiday."""
    start = dt.date(2026, 1, 6)
    plain = independent_dates(home.address_point, start, dt.date(2027, 12, 31), set())
    shifted = independent_dates(home.address_point, start, dt.date(2027, 12, 31), holidays)
    slug, holiday = next((s, h) for s in sorted(plain) for h in sorted(holidays)
                         if h in plain[s] and STREAMS[s]["holiday_policy"] == "next_day"
                         and h not in shifted[s])
    new = holiday + dt.timedelta(days=1)
    while new in holidays:
        new += dt.timedelta(days=1)
    assert new in shifted[slug]
    subscriber = subscribe(home, wants=[f"collection_tomorrow:{slug}"],
                           email="ferie@courriel.example")
    queue.queue_due(at(holiday - dt.timedelta(days=1), 19), kinds=["collection_tomorrow"])
    assert not Delivery.objects.filter(on=holiday).exists()
    queue.queue_due(at(new - dt.timedelta(days=1), 19), kinds=["collection_tomorrow"])
    assert rows() == [(subscriber.pk, "email", "collection_tomorrow",
                       f"property:{home.pk}:stream:{slug}", new)]
    subject, text = queue.render_delivery(Delivery.objects.get())
    from django.utils import translation
    from django.utils.formats import date_format

    with translation.override("fr"):
        assert f"remplace celle du {date_format(holiday, 'DATE_FORMAT')}" in text


def test_in_the_subscribers_language(home, holidays):
    day, streams, _dates = first_quiet_collection(home, holidays)
    french = subscribe(home, wants=["collection_tomorrow:garbage", "collection_tomorrow"],
                       email="fr@courriel.example")
    english = subscribe(home, wants=["collection_tomorrow"], email="en@mail.example",
                        language="en")
    queue.queue_due(at(day - dt.timedelta(days=1), 18), kinds=["collection_tomorrow"])
    slug = sorted(streams)[0]
    fr = Delivery.objects.get(subscriber=french, subject__endswith=f":{slug}")
    en = Delivery.objects.get(subscriber=english, subject__endswith=f":{slug}")
    fr_subject, fr_text = queue.render_delivery(fr)
    en_subject, en_text = queue.render_delivery(en)
    assert fr_subject == f"Collecte demain : {STREAMS[slug]['name_fr']}"
    assert en_subject == f"Collection tomorrow: {STREAMS[slug]['name_en']}"
    assert "/en/" in en_text and "/en/" not in fr_text
    assert f"/propriete/{home.pk}/" in fr_text
    # The collection cancelled since: the row no longer renders (the sender drops it).
    from collections_schedule.models import CollectionException, Stream

    CollectionException.objects.create(kind="cancelled", stream=Stream.objects.get(slug=slug),
                                       date=day)
    from django.core.cache import cache

    cache.clear()
    assert queue.render_delivery(fr) is None


def test_the_work_follows_the_subscriptions_not_the_town(home, holidays, monkeypatch):
    day, _streams, _dates = first_quiet_collection(home, holidays)
    subscribe(home, wants=["collection_tomorrow"], email="seul@courriel.example")
    seen = []
    kind = registry.get("collection_tomorrow")

    def spy(now, property_ids):
        seen.append(set(property_ids))
        return kind.due(now, property_ids)

    monkeypatch.setitem(registry._kinds, kind.code, dataclasses.replace(kind, due=spy))
    queue.queue_due(at(day - dt.timedelta(days=1), 18))
    assert seen == [{home.pk}]


# --- watering ban ------------------------------------------------------------------------

def test_watering_ban_starting_tomorrow_for_the_address(home):
    from django.contrib.gis.geos import MultiPolygon

    from collections_schedule.models import WateringBan

    subscriber = subscribe(home, wants=["watering_ban"], email="pelouse@courriel.example")
    day = dt.date(2026, 7, 14)
    here = WateringBan.objects.create(
        title_fr="Canicule", title_en="Heat wave", starts_at=at(day, 0),
        ends_at=at(day + dt.timedelta(days=3), 0), methods=["sprinkler"],
        area=MultiPolygon(home.address_point.buffer(50)))
    elsewhere = home.address_point.clone()
    elsewhere.x += 5000
    WateringBan.objects.create(title_fr="Ailleurs", title_en="Elsewhere", starts_at=at(day, 0),
                               ends_at=at(day + dt.timedelta(days=3), 0),
                               area=MultiPolygon(elsewhere.buffer(50)))
    assert queue.queue_due(at(day - dt.timedelta(days=2), 20), kinds=["watering_ban"]).ids == []
    assert queue.queue_due(at(day - dt.timedelta(days=1), 12), kinds=["watering_ban"]).ids == []
    queue.queue_due(at(day - dt.timedelta(days=1), 17), kinds=["watering_ban"])
    assert rows() == [(subscriber.pk, "email", "watering_ban", f"ban:{here.pk}", day)]
    subject, text = queue.render_delivery(Delivery.objects.get())
    assert "Canicule" in text and "arrosage automatique" in text
    assert queue.queue_due(at(day, 0, 0), kinds=["watering_ban"]).ids == []  # started


# --- taxes -------------------------------------------------------------------------------

@pytest.fixture
def bill(home):
    from taxes.models import TaxBill, TaxInstalment

    bill = TaxBill.objects.create(property=home, year=2027, bill_number="T-1",
                                  issued_on=dt.date(2027, 2, 1), amount=Decimal("300.00"),
                                  interest_rate=Decimal("10.00"))
    for n, due in enumerate([dt.date(2027, 3, 1), dt.date(2027, 6, 1), dt.date(2027, 9, 1)], 1):
        TaxInstalment.objects.create(bill=bill, number=n, due_on=due, amount=Decimal("100.00"))
    return bill


def link(user, prop, role="owner", **kw):
    from citizens.models import PropertyLink

    return PropertyLink.objects.create(user=user, property=prop, role=role, status="verified",
                                       method="code", **kw)


def test_taxes_reach_only_who_sees_them(home, bill, django_user_model, monkeypatch):
    owner = django_user_model.objects.create_user("proprio", email="proprio@courriel.example")
    occupant = django_user_model.objects.create_user("locataire", email="loc@courriel.example")
    granted = django_user_model.objects.create_user("loc2", email="loc2@courriel.example")
    owner_link = link(owner, home)
    link(occupant, home, role="occupant")
    link(granted, home, role="occupant", tax_access_from=owner_link)
    wants = ["tax_instalment_due", "tax_overdue"]
    subs = {u.username: subscribe(home, wants=wants, user=u) for u in (owner, occupant, granted)}
    stranger = subscribe(home, wants=wants, email="voisin@courriel.example")

    assert queue.queue_due(at(dt.date(2027, 2, 21), 10)).ids == []  # 8 days before
    queue.queue_due(at(dt.date(2027, 2, 22), 10))  # 7 days before
    expected = {(subs[n].pk, "email", "tax_instalment_due", f"bill:{bill.pk}:1",
                 dt.date(2027, 3, 1)) for n in ("proprio", "loc2")}
    assert set(rows()) == expected
    assert not Delivery.objects.filter(subscriber__in=[subs["locataire"], stranger]).exists()
    queue.queue_due(at(dt.date(2027, 2, 25), 10))  # again, days later: nothing new
    assert set(rows()) == expected

    # Overdue: once per instalment, whenever the job runs.
    queue.queue_due(at(dt.date(2027, 3, 2), 10))
    queue.queue_due(at(dt.date(2027, 3, 20), 10))
    overdue = rows(kind="tax_overdue", subscriber=subs["proprio"])
    assert [r[3:] for r in overdue] == [(f"bill:{bill.pk}:1", dt.date(2027, 3, 1))]
    # Paid since: the queued reminder no longer renders (the sender drops it).
    delivery = Delivery.objects.filter(kind="tax_overdue").first()
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2027, 3, 20))
    assert "100,00" in queue.render_delivery(delivery)[1]
    bill.payments.create(paid_on=dt.date(2027, 3, 10), amount=Decimal("100.00"), reference="P1")
    assert queue.render_delivery(delivery) is None


def test_tax_reminder_text_in_french(home, bill, django_user_model):
    owner = django_user_model.objects.create_user("proprio2", email="p2@courriel.example")
    link(owner, home)
    subscribe(home, wants=["tax_instalment_due"], user=owner)
    queue.queue_due(at(dt.date(2027, 5, 26), 10))
    with pytest.MonkeyPatch.context() as m:
        m.setattr(timezone, "localdate", lambda *a, **k: dt.date(2027, 5, 26))
        subject, text = queue.render_delivery(Delivery.objects.get())
    assert subject == "Versement de taxes dû le 1 juin 2027"
    assert "100,00" in text and "2027" in text


def test_without_its_audience_nobody_gets_tax_reminders(home, bill, django_user_model,
                                                        monkeypatch):
    owner = django_user_model.objects.create_user("proprio3", email="p3@courriel.example")
    link(owner, home)
    subscribe(home, wants=["tax_overdue"], user=owner)
    monkeypatch.delitem(registry._audiences, "tax_viewers")
    result = queue.queue_due(at(dt.date(2027, 3, 5), 10), kinds=["tax_overdue"])
    assert result.ids == [] and result.skipped == ["tax_overdue"]


# --- acknowledgements --------------------------------------------------------------------

POTHOLE = {"taille": "grand"}


@pytest.fixture
def category():
    from service_requests.importers.categories import load_categories
    from service_requests.models import Category

    if not Category.objects.exists():
        load_categories(DEMO / "request-categories.json")
    return Category.objects.get(code="nid-de-poule")  # answers: POTHOLE


def test_request_received_web_and_by_phone(home, category, django_user_model):
    from service_requests.services import submit_request

    clerk = django_user_model.objects.create_user("commis", is_staff=True)
    citizen = django_user_model.objects.create_user("citoyen", email="c@courriel.example")
    no_subscriber = django_user_model.objects.create_user("autre", email="a@courriel.example")
    mine = Subscriber.objects.create(user=citizen, language="en")
    by_mail = Subscriber.objects.create(email="Appel@Courriel.example",
                                        confirmed_at=timezone.now())
    where = {"category": category, "point": home.address_point, "answers": POTHOLE}
    web = submit_request(**where, description="Nid", user=citizen)
    phone = submit_request(**where, description="Lampe", contact_email="appel@courriel.example",
                           clerk=clerk, channel="phone")
    submit_request(**where, description="Autre", user=no_subscriber)
    today = timezone.localdate()
    queue.queue_due(timezone.now(), kinds=["request_received"])
    queue.queue_due(timezone.now(), kinds=["request_received"])
    assert rows() == sorted([(mine.pk, "email", "request_received", f"request:{web.pk}", today),
                             (by_mail.pk, "email", "request_received", f"request:{phone.pk}",
                              today)])
    subject, text = queue.render_delivery(Delivery.objects.get(subscriber=mine))
    assert subject.startswith(f"Request #{web.pk} received")
    # Older than core.reminders.LOOKBACK: not due any more.
    assert queue.queue_due(timezone.now() + dt.timedelta(days=3)).due["request_received"] == 0


def test_link_decided_approved_and_refused(home, django_user_model):
    from citizens.models import PropertyLink
    from citizens.services import approve_link, refuse_link

    clerk = django_user_model.objects.create_user("commis2", is_staff=True)
    yes = django_user_model.objects.create_user("oui", email="oui@courriel.example")
    no = django_user_model.objects.create_user("non", email="non@courriel.example")
    s_yes = subscribe(home, wants=[], user=yes, channels=["sms"])
    s_yes.phone = "+15145550102"
    s_yes.save()
    s_no = Subscriber.objects.create(user=no)
    approve_link(link=PropertyLink.objects.create(user=yes, property=home, role="owner"),
                 clerk=clerk)
    refused = PropertyLink.objects.create(user=no, property=home, role="occupant")
    refuse_link(link=refused, clerk=clerk, reason="Aucune preuve de résidence")
    queue.queue_due(timezone.now(), kinds=["link_decided"])
    assert [(r[0], r[1]) for r in rows()] == sorted([(s_yes.pk, "sms"), (s_no.pk, "email")])
    subject, text = queue.render_delivery(Delivery.objects.get(subscriber=s_no))
    assert subject == "Votre lien à la propriété est refusé"
    assert "Aucune preuve de résidence" in text


# --- exactly once: twice, and after a crash ----------------------------------------------

@pytest.fixture
def everything(home, category, django_user_model, holidays):
    """A subscriber for every kind, each with something due: the acknowledgements at the real
    clock (a request and a link decided now), the rest on the evening before a collection
    (a ban starting the next day, an instalment due in 7 days, one overdue)."""
    from django.contrib.gis.geos import MultiPolygon

    from citizens.models import PropertyLink
    from citizens.services import approve_link
    from collections_schedule.models import WateringBan
    from service_requests.services import add_note, submit_request
    from taxes.models import TaxBill

    day, _streams, _dates = first_quiet_collection(home, holidays)
    eve = at(day - dt.timedelta(days=1), 18)
    owner = django_user_model.objects.create_user("tout", email="tout@courriel.example")
    clerk = django_user_model.objects.create_user("commis3", is_staff=True)
    subscribe(home, wants=sorted(KINDS), user=owner, channels=["email", "sms"])
    approve_link(link=PropertyLink.objects.create(user=owner, property=home, role="owner"),
                 clerk=clerk)
    request = submit_request(category=category, point=home.address_point, answers=POTHOLE,
                             description="Trou", user=owner)
    add_note(request=request, by=clerk, note="Réparation prévue", public=True)
    WateringBan.objects.create(title_fr="Pénurie", title_en="Shortage", starts_at=at(day, 6),
                               ends_at=at(day, 20), area=MultiPolygon(
                                   home.address_point.buffer(30)))
    bill = TaxBill.objects.create(property=home, year=day.year, bill_number="T-2",
                                  issued_on=day - dt.timedelta(days=60),
                                  amount=Decimal("200.00"), interest_rate=Decimal("10.00"))
    bill.instalments.create(number=1, due_on=day - dt.timedelta(days=30), amount=100)
    bill.instalments.create(number=2, due_on=day + dt.timedelta(days=6), amount=100)
    return eve


def test_twice_and_after_a_crash_half_way(everything, monkeypatch):
    from django.db import transaction

    # Runs at the real clock (the acknowledgements) and on the evening (the rest).
    planned = [timezone.now(), everything]
    with transaction.atomic():  # a clean run, to compare with; rolled back
        for when in planned:
            queue.queue_due(when)
        clean = rows()
        transaction.set_rollback(True)
    assert Delivery.objects.count() == 0
    assert {r[2] for r in clean} == KINDS

    kinds = [k.code for k in registry.kinds()]
    half = kinds[len(kinds) // 2]
    kind = registry.get(half)

    def crash(now, property_ids=None):
        raise RuntimeError("the job dies half-way")

    with monkeypatch.context() as m:
        m.setitem(registry._kinds, half, dataclasses.replace(kind, due=crash))
        for when in planned:
            with pytest.raises(RuntimeError):
                queue.queue_due(when)
    assert 0 < Delivery.objects.count() < len(clean)
    assert not Delivery.objects.filter(kind__in=kinds[len(kinds) // 2:]).exists()

    for when in planned:  # the next run writes what is missing, and only that
        queue.queue_due(when)
    assert rows() == clean
    for when in planned:  # and a second one nothing
        assert queue.queue_due(when).ids == []
    assert rows() == clean


def test_the_command_runs_twice_and_refuses_a_far_date(home, category, django_user_model):
    from service_requests.services import submit_request

    citizen = django_user_model.objects.create_user("cmd", email="cmd@courriel.example")
    Subscriber.objects.create(user=citizen)
    submit_request(category=category, point=home.address_point, answers=POTHOLE, description="Trou",
                   user=citizen)
    out = StringIO()
    call_command("send_reminders", "--dry-run", stdout=out)
    assert "request_received: 1 due, 1 message(s) would be queued" in out.getvalue()
    assert not Delivery.objects.exists()
    call_command("send_reminders", stdout=StringIO())
    call_command("send_reminders", "--at", timezone.localtime().isoformat(), stdout=StringIO())
    assert Delivery.objects.filter(kind="request_received").count() == 1
    with pytest.raises(CommandError, match="more than 3 days from now"):
        call_command("send_reminders", "--at", "2020-01-01T18:00")
    with pytest.raises(CommandError, match="not an ISO 8601"):
        call_command("send_reminders", "--at", "demain")


def test_a_reminder_reaches_the_mailbox_once_with_its_unsubscribe_link(
        home, category, django_user_model, smtp_sink, django_capture_on_commit_callbacks):
    """The whole path: the job queues the row, the sender (alerts.delivery, the tasks run
    immediately in the tests) renders it in the subscriber's language and sends it over SMTP,
    with the one-click unsubscribe headers; the job run again sends nothing more."""
    from service_requests.services import submit_request

    citizen = django_user_model.objects.create_user("envoi", email="envoi@courriel.example")
    Subscriber.objects.create(user=citizen, language="en")
    request = submit_request(category=category, point=home.address_point, answers=POTHOLE,
                             description="Trou", user=citizen)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            queue.queue_due(timezone.now(), kinds=["request_received"])
    [message] = smtp_sink.to("envoi@courriel.example")
    assert message["Subject"].startswith(f"Request #{request.pk} received")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Message-ID"].startswith("<reminder-request_received-")
    assert "/alertes/desabonnement/" in message["List-Unsubscribe"]
    assert Delivery.objects.get().status == Delivery.Status.SENT




def test_news_of_a_request_through_the_delivery_log_else_by_e_mail(
        home, category, django_user_model, smtp_sink, django_capture_on_commit_callbacks):
    """A status change reaches the reporter who has a subscriber through the delivery system
    (their language and channel, one-click unsubscribe, a Delivery row), a follower without one
    by e-mail in French as before; the periodic job, run after it, finds the same key and
    sends nothing more; an internal note reaches nobody."""
    from service_requests.services import add_note, change_status, follow, submit_request

    clerk = django_user_model.objects.create_user("commis", is_staff=True)
    alice = django_user_model.objects.create_user("alice", email="alice@courriel.example")
    bob = django_user_model.objects.create_user("bob", email="bob@courriel.example")
    mine = Subscriber.objects.create(user=alice, language="en")
    request = submit_request(category=category, point=home.address_point, answers=POTHOLE,
                             description="Trou", user=alice)
    follow(request=request, user=bob)
    with django_capture_on_commit_callbacks(execute=True):
        add_note(request=request, by=clerk, note="Interne", public=False)
    assert smtp_sink.messages == []
    with django_capture_on_commit_callbacks(execute=True):
        change_status(request=request, status="planned", by=clerk, note="Mardi", public=True)
    [english] = smtp_sink.to("alice@courriel.example")
    assert english["Subject"] == f"Your request #{request.pk} ({category.name_en}) was updated"
    assert "Mardi" in smtp_sink.text(english)
    assert "/alertes/desabonnement/" in english["List-Unsubscribe"]
    assert english["Message-ID"].startswith("<reminder-request_updated-")
    [french] = smtp_sink.to("bob@courriel.example")
    assert "a été mise à jour" in french["Subject"] and "Mardi" in smtp_sink.text(french)
    [row] = Delivery.objects.filter(kind="request_updated")
    assert (row.subscriber_id, row.status) == (mine.pk, Delivery.Status.SENT)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            queue.queue_due(timezone.now(), kinds=["request_updated"])
    assert len(smtp_sink.to("alice@courriel.example")) == 1
    assert Delivery.objects.filter(kind="request_updated").count() == 1
