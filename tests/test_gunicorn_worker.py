"""The production server's worker (config/workers.py, named by config/gunicorn.py): visitors who
arrive together are spread over the workers instead of queueing in one while another idles.

gunicorn with the project's settings, 2 workers x 2 threads, serving a tiny application whose
requests wait (tests/gunicorn_sleeper.py: the answer is the worker's process id). Four clients
connect at the same instant, each sending one slow request: with a thread free for each, all
four must be answered in about one request's time, two by each worker. gunicorn's own gthread
worker accepts whatever it is woken for, and often takes three or four of such a burst."""
import http.client
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
THREADS = 2
SLOW_S = 0.4
BURSTS = 6


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port, path, timeout=10):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


@pytest.fixture
def server(tmp_path):
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py",
             "tests.gunicorn_sleeper:app", "--bind", f"127.0.0.1:{port}", "--workers", "2",
             "--threads", str(THREADS), "--log-level", "warning"],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    try:
        pids, deadline = set(), time.monotonic() + 30
        while len(pids) < 2 and time.monotonic() < deadline:  # both workers up
            assert proc.poll() is None, log.read_text()
            try:
                pids.add(_get(port, "/", timeout=2)[1])
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        print(log.read_text()[-3000:])  # shown when the test fails


def _burst(port, clients):
    """`clients` connections opened at the same instant, one slow request each: the worker
    (pid) of each answer and the time until the last one."""
    barrier = threading.Barrier(clients)
    answers = []

    def client():
        barrier.wait()
        answers.append(_get(port, f"/?s={SLOW_S}"))

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers, time.monotonic() - started


def test_visitors_arriving_together_are_spread_over_the_workers(server):
    splits, slow = [], []
    for _ in range(BURSTS):
        answers, elapsed = _burst(server, 2 * THREADS)
        assert [status for status, _pid in answers] == [200] * (2 * THREADS)
        per_worker = sorted(
            sum(1 for _s, pid in answers if pid == p) for p in {pid for _s, pid in answers})
        splits.append(per_worker)
        slow.append(elapsed)
    # Every burst: two requests on each worker's two threads, all answered in one slow
    # request's time (not two, as when a worker queues a third one behind its threads).
    assert splits == [[THREADS, THREADS]] * BURSTS, splits
    assert max(slow) < 2 * SLOW_S, slow
