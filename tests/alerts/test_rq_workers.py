"""The alerts' fan-out and sending run unchanged on Redis with RQ's workers (GUICHET_TASKS=rq,
django-tasks-rq): a Redis of the test's own (scripts/redis.sh) and two `manage.py rqworker`
processes. The one running the fan-out is killed with SIGKILL (with its work horse) once some
batches are in; `manage.py resume_deliveries` (as cron runs it) and a worker started again; one
killed in the middle of a sending job (rows claimed, not sent); after the lease, a worker
started again and resume_deliveries twice at once (two hosts' crons: two tasks for the same rows
on two workers at the same moment). Every subscriber gets the alert at the local SMTP sink, none
lost, each with one Message-ID (a copy sent again is the same message: alerts/channels/email.py);
every row is sent; the jobs went through Redis; those the killed workers left "started" in RQ
blocked nothing."""
import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import suppress
from pathlib import Path

import pytest

from tests.alerts.workers import (
    BATCH,
    LEASE_S,
    MARK_EVERY,
    ROOT,
    N,
    check_received,
    free_port,
    manage,
    until,
    worker_env,
)


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    """A redis-server of the test's own on a free port (no persistence): its URL."""
    if not (shutil.which("redis-server") or Path("/usr/bin/redis-server").exists()):
        pytest.skip("redis-server is missing (scripts/system_deps.sh installs Debian's package)")
    port, folder = free_port(), tmp_path_factory.mktemp("redis")
    script = ROOT / "scripts" / "redis.sh"
    subprocess.run(["bash", script, "start", str(port), folder], check=True)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        subprocess.run(["bash", script, "stop", folder], check=False)


def _worker(env, name, log):
    """`manage.py rqworker` as production runs it (README), in a session of its own: RQ forks a
    work horse per job, and the scheduler, in that session."""
    return subprocess.Popen([sys.executable, "manage.py", "rqworker", "default",
                             "--with-scheduler", "--name", name],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)


def _session(leader: int) -> list[int]:
    """The live processes of the session `leader` leads (zombies left out)."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[3]) == leader and fields[0] != "Z":
                pids.append(int(stat.parent.name))
    return pids


def _signal(worker, sig):
    for pid in _session(worker.pid):
        with suppress(ProcessLookupError):
            os.kill(pid, sig)


def _kill(worker):
    """SIGKILL the worker and its work horse and scheduler, as a crash of its machine or
    `systemctl kill -s KILL` does: killing the worker alone would let the horse (its own
    process group) finish the job."""
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    for _ in range(50):
        if not _session(worker.pid):
            return
        _signal(worker, signal.SIGKILL)
        time.sleep(0.02)
    raise AssertionError(f"processes of the killed worker still alive: {_session(worker.pid)}")


def test_rq_workers_killed_deliver_every_message_once(redis_url, committed_alert, smtp_sink,
                                                     settings, tmp_path):
    from redis import Redis
    from rq import Queue, Worker
    from rq.job import Job
    from rq.registry import FinishedJobRegistry

    from alerts.models import Alert, Delivery

    alert = committed_alert
    env = worker_env(settings, "rq", GUICHET_REDIS_URL=redis_url)
    redis = Redis.from_url(redis_url)
    log = open(tmp_path / "workers.log", "wb")  # noqa: SIM115 (closed below)
    rows = Delivery.objects.filter(alert=alert)
    workers = {}

    def start(name):
        workers[name] = _worker(env, name, log)

    def state(name):
        found = Worker.find_by_key(Worker.redis_worker_namespace_prefix + name, redis)
        return found and found.get_state()

    def claimed_by(name):
        """The rows worker `name` holds now: claimed, not yet sent, by the sending job it runs."""
        found = Worker.find_by_key(Worker.redis_worker_namespace_prefix + name, redis)
        job = found and found.get_current_job()
        if not job or job.func_name != "alerts.delivery.send_deliveries":
            return []
        return list(rows.filter(pk__in=job.args[0], status="queued", claim__isnull=False)
                    .values_list("pk", flat=True))

    def kill_holding():
        """Kills a worker that holds rows (frozen with SIGSTOP to look, so that the kill comes
        before it sends them); how many it held, or None (thawed) if it held none."""
        for name in list(workers):
            if ids := claimed_by(name):
                _signal(workers[name], signal.SIGSTOP)
                held = rows.filter(pk__in=ids, status="queued", claim__isnull=False).count()
                if held:
                    _kill(workers.pop(name))
                    return held
                _signal(workers[name], signal.SIGCONT)
        return None

    fan_out_job = manage(env, "shell", "-v", "0", "-c", "from alerts.delivery import fan_out; "
                         f"print(fan_out.enqueue({alert.pk}, 1).id)").split()[-1]
    assert Job.fetch(fan_out_job, redis).func_name == "alerts.delivery.fan_out"  # in Redis
    try:
        # 1. Two workers; the one running the fan-out is killed once some batches are in.
        start("a")
        start("b")
        until(lambda: rows.exists(), step=0.002)
        fanning = Job.fetch(fan_out_job, redis).worker_name
        _kill(workers.pop(fanning))
        inserted = rows.count()
        assert 0 < inserted < N
        assert Alert.objects.get(pk=alert.pk).fanned_out_version == 0

        # 2. resume_deliveries enqueues the unfinished fan-out; a worker is started again; a
        # worker in the middle of a sending job (rows claimed, not yet sent) is killed.
        manage(env, "resume_deliveries")
        start("c")
        until(lambda: len(smtp_sink.messages) >= N // 2)
        held = until(kill_holding, step=0.001)
        sent_at_kill = len(smtp_sink.messages)
        assert sent_at_kill < N

        # 3. After the lease, a worker started again, and resume_deliveries run twice back to
        # back (as the crons of two hosts may): the rows the killed worker held get two sending
        # tasks, which the two idle workers take at the same moment; the claims let one send.
        time.sleep(LEASE_S + 0.5)
        start("d")
        until(lambda: all(state(name) == "idle" for name in workers), step=0.05)
        time.sleep(0.5)  # d's start-up maintenance done: both wait for a job
        manage(env, "shell", "-c", "from django.core.management import call_command; "
               "call_command('resume_deliveries'); call_command('resume_deliveries')")
        until(lambda: rows.filter(status="sent").count() == N)
        time.sleep(1)  # anything late would show
    finally:
        for worker in workers.values():
            _kill(worker)
        log.close()
    log_text = (tmp_path / "workers.log").read_text()
    repeats = check_received(smtp_sink, log_text)
    # At most the messages accepted but not yet marked when the sending was killed: one group
    # of marks (alerts.channels.SentMarks).
    assert repeats <= MARK_EVERY
    print(f"fan-out killed after {inserted} rows; sending killed at {sent_at_kill} messages "
          f"with {held} rows held")
    assert rows.count() == N and not rows.exclude(status="sent").exists()
    assert Alert.objects.get(pk=alert.pk).fanned_out_version == 1

    # The work went through Redis: the killed fan-out is left "started" there (it blocked
    # nothing), the resumed one finished, and the finished sending jobs sent all but what the
    # killed one had sent.
    assert Job.fetch(fan_out_job, redis).get_status() == "started"
    finished = [job for job in Job.fetch_many(
        FinishedJobRegistry(queue=Queue("default", connection=redis)).get_job_ids(), redis)
        if job is not None]
    by_task = {}
    for job in finished:
        by_task.setdefault(job.func_name, []).append(job)
    assert len(by_task["alerts.delivery.fan_out"]) == 1
    sent_by_jobs = sum(job.return_value() for job in by_task["alerts.delivery.send_deliveries"])
    assert N - BATCH <= sent_by_jobs <= N, log_text[-2000:]
    assert "alerts.delivery.send_deliveries" in log_text  # the workers' own log of their jobs
