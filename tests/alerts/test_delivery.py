"""An alert's delivery: fan-out to the subscribers reached, e-mail over a real SMTP conversation
with the local sink (one-click unsubscribe headers, the subscriber's language), text messages to
a local HTTP gateway, quiet hours, retries with backoff, updates to exactly those who got the
alert, and the staff's summary."""
import datetime as dt

import pytest
from django.utils import timezone

from alerts.delivery import fan_out, resume, send_deliveries
from alerts.models import Alert, Delivery
from alerts.selectors import delivery_summary

pytestmark = pytest.mark.django_db


def run_fan_out(alert, capture, version=1):
    with capture(execute=True):
        return fan_out.enqueue(alert.pk, version).return_value


def test_an_alert_reaches_the_subscribers_of_its_area_once(
        make_alert, subscribe, homes, topic, smtp_sink, django_capture_on_commit_callbacks):
    fr = subscribe(email="fr@example.org")
    en = subscribe(email="en@example.org", language="en", topics=[topic])
    subscribe(email="loin@example.org", prop=homes[1])  # outside the area
    subscribe(email="pas-confirme@example.org", confirmed=False)  # no link followed
    from alerts.models import Topic
    other = Topic.objects.create(code="autre", name_fr="Autre", name_en="Other")
    subscribe(email="autre-sujet@example.org", topics=[other])  # another topic only
    alert = make_alert()

    assert run_fan_out(alert, django_capture_on_commit_callbacks) == 2
    assert sorted(a for m in smtp_sink.messages for a in m.envelope_to) == [
        "en@example.org", "fr@example.org"]
    [message] = smtp_sink.to("fr@example.org")
    assert "Avis d'ébullition" in message["Subject"]
    assert message["List-Unsubscribe"].strip() == (
        f"<http://127.0.0.1:8000/alertes/desabonnement/{fr.token}/>")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"/alertes/desabonnement/{fr.token}/" in smtp_sink.text(message)
    assert "Faites bouillir l'eau." in smtp_sink.text(message)
    [english] = smtp_sink.to("en@example.org")
    assert "Boil-water notice" in english["Subject"]
    assert f"/en/alertes/desabonnement/{en.token}/" in english["List-Unsubscribe"]
    rows = Delivery.objects.filter(alert=alert)
    assert {r.status for r in rows} == {"sent"} and all(r.provider_id for r in rows)
    assert rows.get(subscriber=fr).provider_id == message["Message-ID"]
    alert.refresh_from_db()
    assert alert.fanned_out_version == 1

    # Run again (a worker restarted): nothing new, nothing sent twice.
    assert run_fan_out(alert, django_capture_on_commit_callbacks) == 0
    assert resume(grace=dt.timedelta(0)) == {"fan_outs": 0, "deliveries": 0}
    assert len(smtp_sink.messages) == 2
    summary = delivery_summary(alert)
    assert (summary["sent"], summary["failed"], summary["total"]) == (2, 0, 2)
    assert summary["channels"][0]["channel"] == "email"


def test_an_update_goes_to_exactly_those_who_got_the_alert(
        make_alert, subscribe, smtp_sink, django_capture_on_commit_callbacks):
    subscribe(email="premier@example.org")
    alert = make_alert()
    run_fan_out(alert, django_capture_on_commit_callbacks)
    subscribe(email="arrive-apres@example.org")  # subscribed after the first sending
    Alert.objects.filter(pk=alert.pk).update(version=2, body_fr="L'avis est prolongé.")
    assert run_fan_out(alert, django_capture_on_commit_callbacks, version=2) == 1
    assert [len(smtp_sink.to(a)) for a in ("premier@example.org", "arrive-apres@example.org")] \
        == [2, 0]
    update = smtp_sink.to("premier@example.org")[1]
    assert "Mise à jour" in update["Subject"]

    Alert.objects.filter(pk=alert.pk).update(version=3, status=Alert.Status.CANCELLED)
    run_fan_out(alert, django_capture_on_commit_callbacks, version=3)
    assert "Annulé" in smtp_sink.to("premier@example.org")[2]["Subject"]
    assert smtp_sink.to("arrive-apres@example.org") == []
    # An old version's task arriving late sends nothing.
    assert run_fan_out(alert, django_capture_on_commit_callbacks, version=1) == 0


def test_quiet_hours_defer_all_but_emergencies(
        make_alert, subscribe, emergency, smtp_sink, django_capture_on_commit_callbacks):
    now = timezone.localtime()
    start = (now - dt.timedelta(hours=1)).time().replace(microsecond=0)
    end = (now + dt.timedelta(hours=2)).time().replace(second=0, microsecond=0)
    sleeper = subscribe(email="dort@example.org", quiet_from=start, quiet_to=end)
    alert = make_alert()
    run_fan_out(alert, django_capture_on_commit_callbacks)
    assert smtp_sink.messages == []
    row = Delivery.objects.get(alert=alert, subscriber=sleeper)
    assert row.status == "queued" and row.claim is None
    assert timezone.localtime(row.next_attempt_at).time() == end
    assert timezone.localtime(row.next_attempt_at) > now

    urgent = make_alert(topic=emergency, title_fr="Urgence")
    run_fan_out(urgent, django_capture_on_commit_callbacks)
    assert len(smtp_sink.to("dort@example.org")) == 1

    # At the end of the quiet hours, the deferred one goes.
    Delivery.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    Delivery.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    sleeper.quiet_from = sleeper.quiet_to = None
    sleeper.save()
    assert send_deliveries.call([row.pk]) == 1
    assert len(smtp_sink.to("dort@example.org")) == 2


def test_temporary_failures_are_retried_with_backoff_permanent_ones_are_not(
        make_alert, subscribe, smtp_sink, django_capture_on_commit_callbacks):
    async def handle_RCPT(server, session, envelope, address, options):  # noqa: N802
        if address.startswith("plein"):
            return "452 4.2.2 Mailbox full, try later"
        if address.startswith("inconnu"):
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"
    smtp_sink.handle_RCPT = handle_RCPT
    for name in ("plein", "inconnu", "ok"):
        subscribe(email=f"{name}@example.org")
    alert = make_alert()
    before = timezone.now()
    run_fan_out(alert, django_capture_on_commit_callbacks)
    rows = {r.subscriber.email: r for r in Delivery.objects.filter(alert=alert)
            .select_related("subscriber")}
    assert rows["ok@example.org"].status == "sent"
    assert rows["inconnu@example.org"].status == "failed"
    assert "550" in rows["inconnu@example.org"].error
    full = rows["plein@example.org"]
    assert (full.status, full.attempts) == ("queued", 1) and "452" in full.error
    assert full.next_attempt_at >= before + dt.timedelta(seconds=60)
    assert [m.envelope_to for m in smtp_sink.messages] == [["ok@example.org"]]

    # Not due yet: a task does not send it; due: it goes, once.
    assert send_deliveries.call([full.pk]) == 0
    del smtp_sink.handle_RCPT
    Delivery.objects.filter(pk=full.pk).update(next_attempt_at=timezone.now())
    assert send_deliveries.call([full.pk]) == 1
    full.refresh_from_db()
    assert (full.status, full.attempts) == ("sent", 2)
    summary = delivery_summary(alert)
    assert (summary["sent"], summary["failed"], summary["queued"]) == (2, 1, 0)


def test_text_messages_go_to_the_http_gateway(
        make_alert, subscribe, sms_sink, django_capture_on_commit_callbacks):
    subscriber = subscribe(phone="+15145550123", channels=("sms",))
    busy = subscribe(phone="+15145550124", channels=("sms",))
    sms_sink.answers = [200, 503]
    alert = make_alert()
    run_fan_out(alert, django_capture_on_commit_callbacks)
    first, second = sms_sink.received
    assert first["body"]["to"] == "+15145550123"
    assert first["body"]["text"].startswith("Pincourt: Avis d'ébullition.")
    assert f"/alertes/desabonnement/{subscriber.token}/" in first["body"]["text"]
    row = Delivery.objects.get(alert=alert, subscriber=subscriber)
    assert first["headers"]["Idempotency-Key"] == f"guichet-delivery-{row.pk}"
    assert (row.status, row.provider_id) == ("sent", "gw-1")
    retried = Delivery.objects.get(alert=alert, subscriber=busy)
    assert second["body"]["to"] == "+15145550124"
    assert (retried.status, retried.error) == ("queued", "HTTP 503")
    assert retried.next_attempt_at > timezone.now()


def test_an_unconfirmed_number_gets_no_text_message(
        make_alert, subscribe, sms_sink, django_capture_on_commit_callbacks):
    from alerts.models import Subscriber
    subscriber = subscribe(phone="+15145550125", channels=("sms",))
    Subscriber.objects.filter(pk=subscriber.pk).update(phone_confirmed_at=None,
                                                       user=None, confirmed_at=None)
    run_fan_out(make_alert(), django_capture_on_commit_callbacks)
    assert sms_sink.received == []


def test_minor_alerts_wait_for_the_daily_digest_then_go_in_one_message(
        make_alert, subscribe, emergency, smtp_sink, sms_sink, settings,
        django_capture_on_commit_callbacks):
    """A subscriber who chose the digest gets minor alerts once a day, together, at the digest
    hour; anything more serious, and emergencies, at once. Others get each alert at once."""
    reader = subscribe(email="resume@example.org", language="en", digest=True)
    texter = subscribe(phone="+15145550125", channels=("sms",), digest=True)
    subscribe(email="chaque@example.org")
    sweeping = make_alert(severity="minor", title_fr="Balayage", title_en="Street sweeping")
    sale = make_alert(severity="minor", title_fr="Vente-débarras", title_en="Garage sale")
    closed = make_alert(severity="severe", title_fr="Rue fermée", title_en="Street closed")
    leave = make_alert(topic=emergency, severity="minor", title_fr="Évacuation",
                       title_en="Evacuation")
    now = timezone.now()
    for alert in (sweeping, sale, closed, leave):
        run_fan_out(alert, django_capture_on_commit_callbacks)
    assert len(smtp_sink.to("chaque@example.org")) == 4
    assert sorted(m["Subject"].split("] ")[1] for m in smtp_sink.to("resume@example.org")) == [
        "Evacuation", "Street closed"]
    assert len(sms_sink.received) == 2
    held = Delivery.objects.filter(alert__in=[sweeping, sale], subscriber__in=[reader, texter])
    assert held.count() == 4
    for row in held:
        at = timezone.localtime(row.next_attempt_at)
        assert (row.status, row.in_digest, row.claim) == ("queued", True, None)
        assert (at.hour, at.minute) == (settings.GUICHET_DIGEST_HOUR, 0)
        assert now < at <= now + dt.timedelta(days=1)

    # The digest hour comes: the task of one row sends the subscriber's whole digest.
    held.update(next_attempt_at=timezone.now())
    one = held.filter(subscriber=reader).first()
    assert send_deliveries.call([one.pk]) == 2
    [digest] = [m for m in smtp_sink.to("resume@example.org")
                if m["Subject"].endswith("2 alerts of the day")]
    text = smtp_sink.text(digest)
    assert "Street sweeping" in text and "Garage sale" in text
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"/alertes/desabonnement/{reader.token}/" in digest["List-Unsubscribe"]
    assert send_deliveries.call(list(held.filter(subscriber=reader)
                                     .values_list("pk", flat=True))) == 0
    assert len(smtp_sink.to("resume@example.org")) == 3
    texts = held.filter(subscriber=texter).values_list("pk", flat=True)
    assert send_deliveries.call(list(texts)) == 2
    sms = sms_sink.received[-1]["body"]["text"]
    assert len(sms_sink.received) == 3
    assert "Balayage" in sms and "Vente-débarras" in sms and "/alertes/desabonnement/" in sms
    assert set(held.values_list("status", flat=True)) == {"sent"}


def test_messages_accepted_before_a_batch_breaks_are_marked_and_not_sent_again(
        make_alert, subscribe, smtp_sink, settings, monkeypatch,
        django_capture_on_commit_callbacks):
    """Sent marks go in groups (channels.SentMarks); a batch that breaks in the middle (here a
    bug building the 4th message) still commits the marks of what the server accepted, so the
    task that takes the batch over sends only the rest, each once."""
    from alerts.channels import email as email_channel
    settings.GUICHET_DELIVERY_MARK_EVERY = 10
    names = ["a", "b", "c", "d", "e"]
    for name in names:
        subscribe(email=f"{name}@example.org")
    build = email_channel.build

    def broken_on_d(item, rendered=None):
        if item[0].subscriber.email == "d@example.org":
            raise RuntimeError("a bug")
        return build(item, rendered)
    monkeypatch.setattr(email_channel, "build", broken_on_d)
    alert = make_alert()
    run_fan_out(alert, django_capture_on_commit_callbacks)  # its sending task fails
    status = {r.subscriber.email: r.status
              for r in Delivery.objects.filter(alert=alert).select_related("subscriber")}
    assert status == {"a@example.org": "sent", "b@example.org": "sent", "c@example.org": "sent",
                      "d@example.org": "queued", "e@example.org": "queued"}

    # The bug fixed and the lease lapsed: the next task sends d and e only.
    monkeypatch.setattr(email_channel, "build", build)
    Delivery.objects.filter(alert=alert, status="queued").update(
        claimed_until=timezone.now() - dt.timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert resume(grace=dt.timedelta(0))["deliveries"] == 2
    assert sorted(a for m in smtp_sink.messages for a in m.envelope_to) == [
        f"{name}@example.org" for name in names]
    assert set(Delivery.objects.filter(alert=alert).values_list("status", flat=True)) == {"sent"}
