"""Exactly once with real workers: the database task backend's `manage.py db_worker` runs as a
child process, is killed with SIGKILL in the middle of the fan-out and again in the middle of
the sending, and is started again (with `manage.py resume_deliveries`, as cron runs it): every
subscriber gets the alert at the local SMTP sink, none lost; a copy sent again (a worker killed
between the server's 250 and its commit: alerts/channels/email.py says why this side of the
race) is the same message, with the same Message-ID, which mail clients show once."""
import signal
import subprocess
import sys
import time

from tests.alerts.workers import (
    LEASE_S,
    MARK_EVERY,
    ROOT,
    N,
    check_received,
    manage,
    until,
    worker_env,
)


def _worker(env, log):
    return subprocess.Popen([sys.executable, "manage.py", "db_worker", "--interval", "0.05",
                             "--no-startup-delay", "--no-reload", "-v", "0"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def test_a_worker_killed_twice_delivers_every_message_once(committed_alert, smtp_sink,
                                                           settings, tmp_path):
    from alerts.models import Alert, Delivery

    alert = committed_alert
    env = worker_env(settings, "database")
    log = open(tmp_path / "worker.log", "wb")  # noqa: SIM115 (closed below)
    rows = Delivery.objects.filter(alert=alert)
    manage(env, "shell", "-c",
           f"from alerts.delivery import fan_out; fan_out.enqueue({alert.pk}, 1)")

    # 1. Killed in the middle of the fan-out: some batches in, the end not marked.
    worker = _worker(env, log)
    until(lambda: rows.exists(), step=0.002)
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    inserted = rows.count()
    assert 0 < inserted < N
    assert Alert.objects.get(pk=alert.pk).fanned_out_version == 0

    # 2. Started again (resume_deliveries enqueues the unfinished fan-out), killed while
    # sending.
    manage(env, "resume_deliveries")
    worker = _worker(env, log)
    until(lambda: len(smtp_sink.messages) >= N // 3)
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    sent_at_kill = len(smtp_sink.messages)
    assert sent_at_kill < N

    # 3. After the lease, resume and a new worker finish it.
    time.sleep(LEASE_S + 0.5)
    manage(env, "resume_deliveries")
    worker = _worker(env, log)
    try:
        until(lambda: rows.filter(status="sent").count() == N)
        time.sleep(1)  # anything late would show
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        log.close()
    repeats = check_received(smtp_sink, (tmp_path / "worker.log").read_text())
    # At most the messages accepted but not yet marked at each of the two kills: one group of
    # marks each (alerts.channels.SentMarks).
    assert repeats <= 2 * MARK_EVERY
    assert rows.count() == N and not rows.exclude(status="sent").exists()
    assert Alert.objects.get(pk=alert.pk).fanned_out_version == 1
