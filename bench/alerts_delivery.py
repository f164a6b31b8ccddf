"""Alert delivery speed (issue 13 part 5: >= 500 messages/s, 0 lost, 0 doubled), step d of the
alerts part (alerts_bench.py) on the bench town: the Delivery rows and sending tasks of an alert
already fanned out (step c) are delivered by 2 `manage.py db_worker` processes (the database
task backend), e-mail to a local aiosmtpd sink (EMAIL_URL=smtp://127.0.0.1:PORT: one SMTP
connection per sending task, i.e. per batch of GUICHET_DELIVERY_SEND_BATCH rows) and text
messages to a local HTTP sink (GUICHET_SMS_BACKEND=alerts.channels.sms.HttpGatewayBackend,
GUICHET_SMS_URL), each sink in its own process (this file run as `sink smtp|http PORT OUT`).

The e-mail rows come first (the subscribers' ids, then the rows' and the tasks', are in that
order), so the e-mail rate is timed from the workers' start (Django set-up included) until no
e-mail row is queued; the SMS rate from then until none is. Lost and doubled are counted at the
sinks, per recipient (address or number), against the rows' recipients. `deliver_emails` below
the number of e-mail rows delivers only the first ones (by id); the others, and as many SMS
rows in proportion, are marked failed ("bench: not delivered") before the workers start, and
the sending tasks left with nothing to send are deleted."""
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import benchdb

WORKERS = 2
POLL_S = 0.5
STALL_S = 60  # no row leaves the queue for this long: stop and report what is left
SKIPPED = "bench: not delivered"
# The sending tasks left with no queued row (all theirs skipped): deleted, so that the workers do
# not spend the measured time on tasks that claim nothing.
DROP_IDLE_TASKS = """
DELETE FROM django_tasks_database_dbtaskresult t
WHERE t.task_path = 'alerts.delivery.send_deliveries' AND t.status = 'READY'
  AND NOT EXISTS (
      SELECT 1 FROM jsonb_array_elements_text(t.args_kwargs -> 'args' -> 0) AS e(id)
      JOIN alerts_delivery d ON d.id = e.id::bigint WHERE d.status = 'queued')
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port: int, proc, timeout=20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"a sink exited with status {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"no sink listening on {port} after {timeout} s")


def _cpu_s(pid: int) -> float | None:
    """User + system CPU seconds of a running process (/proc), None when gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _stop(proc, timeout=30) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _recipients(conn, alert_id: int, channel: str) -> list[tuple[int, str]]:
    column = "email" if channel == "email" else "phone"
    return conn.execute(
        f"SELECT d.id, s.{column} FROM alerts_delivery d "
        "JOIN alerts_subscriber s ON s.id = d.subscriber_id "
        "WHERE d.alert_id = %s AND d.channel = %s AND d.status = 'queued' ORDER BY d.id",
        [alert_id, channel]).fetchall()


def _queued(conn, alert_id: int) -> dict:
    return dict(conn.execute(
        "SELECT channel, count(*) FROM alerts_delivery WHERE alert_id = %s "
        "AND status = 'queued' GROUP BY channel", [alert_id]).fetchall())


def deliver(alert_id: int, deliver_emails: int | None, work: Path, log=print) -> dict:
    """Deliver the alert's queued rows (all the e-mails, or the first `deliver_emails`); the
    rates, the rows' statuses and what the sinks received."""
    with benchdb.connect(autocommit=True) as conn:
        emails = _recipients(conn, alert_id, "email")
        sms = _recipients(conn, alert_id, "sms")
        keep = len(emails) if deliver_emails is None else min(deliver_emails, len(emails))
        keep_sms = len(sms) if keep == len(emails) else round(len(sms) * keep / len(emails))
        skipped = [i for i, _ in emails[keep:]] + [i for i, _ in sms[keep_sms:]]
        dropped = 0
        if skipped:
            conn.execute("UPDATE alerts_delivery SET status = 'failed', error = %s "
                         "WHERE id = ANY(%s)", [SKIPPED, skipped])
            dropped = conn.execute(DROP_IDLE_TASKS).rowcount
        emails, sms = emails[:keep], sms[:keep_sms]
    smtp_port, http_port = free_port(), free_port()
    out_smtp, out_http = work / "alerts-sink-smtp.json", work / "alerts-sink-http.json"
    for path in (out_smtp, out_http):
        path.unlink(missing_ok=True)
    sinks = [subprocess.Popen([benchdb.PY, __file__, "sink", kind, str(port), str(path)],
                              cwd=benchdb.ROOT, preexec_fn=os.setsid)
             for kind, port, path in (("smtp", smtp_port, out_smtp),
                                      ("http", http_port, out_http))]
    workers = []
    result = {"workers": WORKERS, "emails": len(emails), "sms": len(sms),
              "skipped": len(skipped), "tasks_dropped": dropped,
              "loadavg_start": os.getloadavg()}
    try:
        _wait_port(smtp_port, sinks[0])
        _wait_port(http_port, sinks[1])
        env = benchdb.django_env(
            GUICHET_TASKS="database", EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
            GUICHET_SMS_BACKEND="alerts.channels.sms.HttpGatewayBackend",
            GUICHET_SMS_URL=f"http://127.0.0.1:{http_port}/messages")
        start = time.perf_counter()
        for k in range(WORKERS):
            log_file = open(work / f"alerts-worker-{k + 1}.log", "wb")  # noqa: SIM115
            workers.append(subprocess.Popen(
                [benchdb.PY, "manage.py", "db_worker", "--interval", "0.1",
                 "--no-startup-delay", "--no-reload", "-v", "0"],
                cwd=benchdb.ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
                preexec_fn=os.setsid))
            log_file.close()
        result.update(_watch(alert_id, start, len(emails), log))
        result["workers_cpu_s"] = [_cpu_s(w.pid) for w in workers]
    finally:
        for w in workers:
            _stop(w)
        for s in sinks:
            _stop(s)
    result["loadavg_end"] = os.getloadavg()
    with benchdb.connect() as conn:
        result["statuses"] = {f"{c} {s}": n for c, s, n in conn.execute(
            "SELECT channel, status, count(*) FROM alerts_delivery WHERE alert_id = %s "
            "AND error <> %s GROUP BY 1, 2 ORDER BY 1, 2", [alert_id, SKIPPED]).fetchall()}
    for kind, path, expected in (("smtp", out_smtp, emails), ("http", out_http, sms)):
        sink = json.loads(path.read_text()) if path.exists() else {"counts": {}}
        counts = sink.pop("counts")
        want = {address for _, address in expected}
        result[kind] = {**sink, "expected": len(want), "received": sum(counts.values()),
                        "lost": len(want - counts.keys()),
                        "doubled": sum(c - 1 for c in counts.values() if c > 1),
                        "unexpected": len(counts.keys() - want)}
    m, h = result["smtp"], result["http"]
    # SMS: the sink's own rate (first to last message): the poll may see the last e-mail and the
    # last SMS leave the queue at once when they are few.
    result["sms_per_s"] = h["per_s"]
    log(f"  delivered {len(emails):,} e-mails at {result['email_per_s']:,.0f} messages/s "
        f"({result['email_s']:.1f} s, {WORKERS} workers; lost {m['lost']}, doubled "
        f"{m['doubled']}) and {len(sms):,} SMS at {result['sms_per_s']:,.0f}/s (lost "
        f"{h['lost']}, doubled {h['doubled']}); load {result['loadavg_end'][0]:.2f}")
    return result


def _watch(alert_id, start, n_email, log) -> dict:
    """Polls the queue until no row of the alert is queued (or nothing moves for STALL_S)."""
    out = {"email_s": None, "all_s": None, "stalled": None}
    last, moved = None, time.perf_counter()
    with benchdb.connect(autocommit=True) as conn:
        while True:
            time.sleep(POLL_S)
            queued = _queued(conn, alert_id)
            now = time.perf_counter()
            if out["email_s"] is None and not queued.get("email"):
                out["email_s"] = now - start
            if not queued:
                out["all_s"] = now - start
                break
            if queued != last:
                last, moved = queued, now
            elif now - moved > STALL_S:
                out["stalled"] = queued
                log(f"  delivery stalled: {queued} rows still queued after {STALL_S} s "
                    "without progress")
                break
    elapsed_email = out["email_s"] or (time.perf_counter() - start)
    out["email_per_s"] = n_email / elapsed_email if n_email else 0.0
    out["sms_s"] = (out["all_s"] or (time.perf_counter() - start)) - elapsed_email
    return out


# Profile (when the rate misses its target): one worker's work, in-process.

PROFILED = {"send_deliveries": "the sending task, in all", "claim_rows": "claim (1 statement)",
            "_smtp_send": "SMTP exchange, sent marks included",
            "getreply": "waiting for the SMTP server's replies",
            "flush": "sent marks (1 committed UPDATE per group of GUICHET_DELIVERY_MARK_EVERY)",
            "build": "message built (texts cached per batch)", "open": "SMTP connection opened",
            "close": "SMTP connection closed"}


def profile(alert_id: int, work: Path, count: int = 1000, log=print) -> dict:
    """cProfile of `count` e-mail rows of the alert sent again by send_deliveries, in batches
    as the tasks do, in one Django child (one worker, alone) to a fresh SMTP sink: where a
    message's time goes. The rows (already delivered) are put back in the queue first; one
    more batch is sent before, unprofiled (imports, first connection)."""
    log(f"  the delivery misses its target: profiling {count:,} e-mails sent by one "
        "process in-process")
    with benchdb.connect(autocommit=True) as conn:
        ids = [r[0] for r in conn.execute(
            "UPDATE alerts_delivery SET status = 'queued', claim = NULL, claimed_until = NULL, "
            "sent_at = NULL, attempts = 0, provider_id = '' WHERE id IN (SELECT id FROM "
            "alerts_delivery WHERE alert_id = %s AND channel = 'email' ORDER BY id LIMIT %s) "
            "RETURNING id", [alert_id, count + 100]).fetchall()]
    port, out = free_port(), work / "alerts-sink-profile.json"
    sink = subprocess.Popen([benchdb.PY, __file__, "sink", "smtp", str(port), str(out)],
                            cwd=benchdb.ROOT, preexec_fn=os.setsid)
    try:
        _wait_port(port, sink)
        result = benchdb.run_django(Path(__file__).with_name("alerts_bench.py"),
                                    "delivery-profile", min(ids), max(ids),
                                    env={"EMAIL_URL": f"smtp://127.0.0.1:{port}"})
    finally:
        _stop(sink)
    (work / "alerts-delivery-profile.txt").write_text(result["profile"])
    log(f"  {result['messages']:,} e-mails in {result['seconds']:.1f} s by one process "
        f"({result['per_message_ms']:.2f} ms each: " + ", ".join(
            f"{name} {ms:.2f}" for name, ms in result["split_ms"].items()) + ")")
    return result


def profile_child(argv) -> dict:
    """In the Django child: send rows argv[0]..argv[1] (queued) under cProfile."""
    import cProfile
    import io
    import pstats

    from django.conf import settings

    from alerts.delivery import send_deliveries
    from alerts.models import Delivery

    ids = list(Delivery.objects.filter(pk__gte=int(argv[0]), pk__lte=int(argv[1]),
                                       status="queued").order_by("pk")
               .values_list("pk", flat=True))
    batch = settings.GUICHET_DELIVERY_SEND_BATCH
    send_deliveries.call(ids[:batch])  # unprofiled: the first batch imports and connects
    ids = ids[batch:]
    profiler = cProfile.Profile()
    t = time.perf_counter()
    profiler.enable()
    sent = sum(send_deliveries.call(ids[k:k + batch]) for k in range(0, len(ids), batch))
    profiler.disable()
    seconds = time.perf_counter() - t
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text).strip_dirs()
    split = {}
    for (_file, _line, name), (_cc, _nc, _tt, cumulative, _callers) in stats.stats.items():
        if name in PROFILED:
            split[name] = split.get(name, 0) + 1000 * cumulative / max(1, sent)
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(25)
    return {"messages": sent, "seconds": seconds, "per_message_ms": 1000 * seconds / max(1, sent),
            "split_ms": dict(sorted(split.items(), key=lambda kv: -kv[1])),
            "labels": PROFILED, "profile": text.getvalue()}


# The sinks (this file run as `sink smtp|http PORT OUT`): count what they receive per recipient,
# the first and last arrival, and their own CPU time; written to OUT on SIGTERM.

def _sink(kind: str, port: int, out: str) -> None:
    import resource
    import threading
    from collections import Counter

    counts = Counter()
    times = {"first": None, "last": None}
    lock = threading.Lock()

    def seen(recipients):
        t = time.time()
        with lock:
            for r in recipients:
                counts[r] += 1
            times["first"] = times["first"] or t
            times["last"] = t

    if kind == "smtp":
        from aiosmtpd.controller import Controller

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd)
                seen(envelope.rcpt_tos)
                return "250 OK"

        server = Controller(Handler(), hostname="127.0.0.1", port=port)
        server.start()
        stop_server = server.stop
    else:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        class Gateway(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                seen([body["to"]])
                answer = json.dumps({"id": f"sink-{body['reference']}"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", port), Gateway)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        stop_server = server.shutdown

    def stop(*_):
        with contextlib.suppress(Exception):
            stop_server()
        usage = resource.getrusage(resource.RUSAGE_SELF)
        with lock:
            span = (times["last"] - times["first"]) if times["first"] else 0.0
            data = {"counts": dict(counts), "span_s": span,
                    "per_s": (sum(counts.values()) - 1) / span if span > 0 else 0.0,
                    "cpu_s": usage.ru_utime + usage.ru_stime}
        Path(out).write_text(json.dumps(data))
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    while True:
        signal.pause()


if __name__ == "__main__":
    if sys.argv[1:2] == ["sink"]:
        _sink(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    else:
        raise SystemExit("run by alerts_bench.py (run.py --only alerts)")
