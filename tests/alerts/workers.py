"""What the tests with real task workers share (test_worker_kill: the database backend's
db_worker; test_rq_workers: RQ's workers on Redis): the child processes' environment,
manage.py as a child process, polling, and a sent alert with N subscribers, committed for the
workers to see (the fixtures are in conftest.py)."""
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from django.db import connection
from django.utils import timezone

ROOT = Path(__file__).resolve().parents[2]
N = 400  # subscribers of the alert
LEASE_S = 2  # the workers' GUICHET_DELIVERY_LEASE_S
BATCH = 10  # their GUICHET_DELIVERY_BATCH and GUICHET_DELIVERY_SEND_BATCH
MARK_EVERY = 4  # their GUICHET_DELIVERY_MARK_EVERY: sent marks in groups of 4 within a batch


def worker_env(settings, tasks, **extra):
    """The environment of a child process on the test database and the test's SMTP sink, with
    the task backend `tasks` and small batches (many tasks, a short lease)."""
    db = connection.settings_dict
    return {**os.environ, "GUICHET_TASKS": tasks,
            "DATABASE_URL": f"postgis://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "EMAIL_URL": f"smtp://{settings.EMAIL_HOST}:{settings.EMAIL_PORT}",
            "GUICHET_DELIVERY_BATCH": str(BATCH), "GUICHET_DELIVERY_SEND_BATCH": str(BATCH),
            "GUICHET_DELIVERY_MARK_EVERY": str(MARK_EVERY),
            "GUICHET_DELIVERY_LEASE_S": str(LEASE_S), "LOG_LEVEL": "WARNING", **extra}


def manage(env, *args) -> str:
    """`manage.py args` as a child process; its output."""
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def until(condition, timeout=90, step=0.005):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(step)
    raise AssertionError("timed out")


def in_own_connection(function):
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


def create_alert(home):
    """N subscribers of `home` and a sent alert over it (call through in_own_connection()); returns
    (alert, a function that removes them, to call through in_own_connection())."""
    from alerts.models import Alert, Subscriber, Subscription, Topic
    from tests.alerts.conftest import area_around

    topic = Topic.objects.create(code="coupure-essai", name_fr="Coupure", name_en="Outage")
    now = timezone.now()
    subscribers = Subscriber.objects.bulk_create(
        Subscriber(email=f"abonne{i}@example.org", confirmed_at=now) for i in range(N))
    Subscription.objects.bulk_create(
        Subscription(subscriber=s, property=home, channels=["email"]) for s in subscribers)
    alert = Alert.objects.create(
        topic=topic, title_fr="Coupure d'eau", body_fr="Rue fermée.", starts_at=now,
        target=Alert.Target.POLYGON, area=area_around(home), status=Alert.Status.SENT,
        sent_at=now)

    def remove():
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.filter(task_path__startswith="alerts.").delete()
        alert.delete()
        Subscriber.objects.filter(pk__in=[s.pk for s in subscribers]).delete()
        topic.delete()
    return alert, remove


def check_received(smtp_sink, log_text=""):
    """Every subscriber got the alert at the SMTP sink, and each a single Message-ID (a copy
    sent again is the same message); returns how many copies were repeats."""
    copies = [(a, m["Message-ID"]) for m in smtp_sink.messages for a in m.envelope_to]
    received = {a for a, _id in copies}
    assert received == {f"abonne{i}@example.org" for i in range(N)}, log_text[-2000:]  # none lost
    assert len(set(copies)) == N  # one message each: a repeat is the same Message-ID
    repeats = len(copies) - N
    print(f"{N} recipients, {len(copies)} copies received ({repeats} repeated)")
    return repeats


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
