"""Exactly once with real workers: the database task backend's `manage.py db_worker` runs as a
child process, is killed with SIGKILL in the middle of the fan-out and again in the middle of
the sending, and is started again (with `manage.py resume_deliveries`, as cron runs it): every
subscriber gets the alert at the local SMTP sink, none lost; a copy sent again (a worker killed
between the server's 250 and its commit: alerts/channels/email.py says why this side of the
race) is the same message, with the same Message-ID, which mail clients show once."""
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

ROOT = Path(__file__).resolve().parents[2]
N = 400


def _env(settings):
    db = connection.settings_dict
    return {**os.environ, "GUICHET_TASKS": "database",
            "DATABASE_URL": f"postgis://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "EMAIL_URL": f"smtp://{settings.EMAIL_HOST}:{settings.EMAIL_PORT}",
            "GUICHET_DELIVERY_BATCH": "10", "GUICHET_DELIVERY_SEND_BATCH": "10",
            "GUICHET_DELIVERY_LEASE_S": "2", "LOG_LEVEL": "WARNING"}


def _manage(env, *args):
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def _worker(env, log):
    return subprocess.Popen([sys.executable, "manage.py", "db_worker", "--interval", "0.05",
                             "--no-startup-delay", "--no-reload", "-v", "0"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def _until(condition, timeout=90, step=0.005):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(step)
    raise AssertionError("timed out")


def _committed(function):
    """`function()` on a connection of its own (a thread), committed: the workers are other
    processes, and the test's own connection is in the test's transaction."""
    result = []

    def run():
        try:
            result.append(function())
        finally:
            connection.close()
    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return result[0] if result else None


@pytest.fixture
def committed(db, homes_committed):
    """N subscribers of the first demo home and a sent alert over it, committed; removed
    afterwards."""
    from alerts.models import Alert, Subscriber, Subscription, Topic
    from tests.alerts.conftest import area_around

    def create():
        topic = Topic.objects.create(code="coupure-essai", name_fr="Coupure", name_en="Outage")
        now = timezone.now()
        subscribers = Subscriber.objects.bulk_create(
            Subscriber(email=f"abonne{i}@example.org", confirmed_at=now) for i in range(N))
        Subscription.objects.bulk_create(
            Subscription(subscriber=s, property=homes_committed, channels=["email"])
            for s in subscribers)
        alert = Alert.objects.create(
            topic=topic, title_fr="Coupure d'eau", body_fr="Rue fermée.", starts_at=now,
            target=Alert.Target.POLYGON, area=area_around(homes_committed),
            status=Alert.Status.SENT, sent_at=now)
        return alert, topic, subscribers

    alert, topic, subscribers = _committed(create)

    def remove():
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.filter(task_path__startswith="alerts.").delete()
        alert.delete()
        Subscriber.objects.filter(pk__in=[s.pk for s in subscribers]).delete()
        topic.delete()
    try:
        yield alert
    finally:
        _committed(remove)


@pytest.fixture
def homes_committed(db):
    from properties.models import Property

    return (Property.objects.exclude(address_point=None).exclude(parcel=None)
            .exclude(addresses=None).order_by("pk").first())


def test_a_worker_killed_twice_delivers_every_message_once(committed, smtp_sink, settings,
                                                           tmp_path):
    from alerts.models import Alert, Delivery

    alert = committed
    env = _env(settings)
    log = open(tmp_path / "worker.log", "wb")  # noqa: SIM115 (closed below)
    rows = Delivery.objects.filter(alert=alert)
    _manage(env, "shell", "-c",
            f"from alerts.delivery import fan_out; fan_out.enqueue({alert.pk}, 1)")

    # 1. Killed in the middle of the fan-out: some batches in, the end not marked.
    worker = _worker(env, log)
    _until(lambda: rows.exists(), step=0.002)
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    inserted = rows.count()
    assert 0 < inserted < N
    assert Alert.objects.get(pk=alert.pk).fanned_out_version == 0

    # 2. Started again (resume_deliveries enqueues the unfinished fan-out), killed while
    # sending.
    _manage(env, "resume_deliveries")
    worker = _worker(env, log)
    _until(lambda: len(smtp_sink.messages) >= N // 3)
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    sent_at_kill = len(smtp_sink.messages)
    assert sent_at_kill < N

    # 3. After the lease, resume and a new worker finish it.
    time.sleep(int(env["GUICHET_DELIVERY_LEASE_S"]) + 0.5)
    _manage(env, "resume_deliveries")
    worker = _worker(env, log)
    try:
        _until(lambda: rows.filter(status="sent").count() == N)
        time.sleep(1)  # anything late would show
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        log.close()
    copies = [(a, m["Message-ID"]) for m in smtp_sink.messages for a in m.envelope_to]
    received = {a for a, _id in copies}
    assert received == {f"abonne{i}@example.org" for i in range(N)}, \
        (tmp_path / "worker.log").read_text()[-2000:]  # none lost
    assert len(set(copies)) == N  # one message each: a repeat is the same Message-ID
    repeats = len(copies) - N
    assert repeats <= 2  # at most the message in flight at each of the two kills
    print(f"{N} recipients, {len(copies)} copies received ({repeats} repeated)")
    assert rows.count() == N and not rows.exclude(status="sent").exists()
    assert Alert.objects.get(pk=alert.pk).fanned_out_version == 1
