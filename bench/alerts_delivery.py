"""Alert delivery speed (issue 13 part 5): an alert to N e-mail subscribers queued (fan_out with
the database task backend: rows and sending tasks), then delivered by 2 `manage.py db_worker`
processes to a local aiosmtpd sink in another process; counts lost and doubled at the sink.

    PGPORT=5544 .venv/bin/python bench/alerts_delivery.py --subscribers 10000

Uses its own database (BENCH_ALERTS_DB, default guichet_bench_alerts) on the cluster of PGPORT,
created and migrated when missing; the subscribers and the alert are rebuilt each run."""
import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SINK = r"""
import asyncio, json, signal, sys
from collections import Counter
from aiosmtpd.controller import Controller
counts = Counter()
class H:
    async def handle_DATA(self, server, session, envelope):
        for a in envelope.rcpt_tos:
            counts[a] += 1
        return "250 OK"
c = Controller(H(), hostname="127.0.0.1", port=int(sys.argv[1])); c.start()
def stop(*_):
    c.stop(); json.dump(counts, open(sys.argv[2], "w")); sys.exit(0)
signal.signal(signal.SIGTERM, stop)
signal.pause()
"""
SETUP = r"""
import sys, time
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.conf import settings
from django.utils import timezone
from alerts.models import Alert, Subscriber, Subscription, Topic
from properties.models import Property
from django_tasks_db.models import DBTaskResult
n = int(sys.argv[1])
DBTaskResult.objects.all().delete()
Alert.objects.all().delete()
Subscriber.objects.all().delete()
square = MultiPolygon(Polygon.from_bbox((300000, 5030000, 300020, 5030030)),
                      srid=settings.GUICHET_SRID)
prop, _ = Property.objects.get_or_create(matricule="BENCH-ALERTS", defaults={"parcel": square})
topic, _ = Topic.objects.get_or_create(code="bench",
                                       defaults={"name_fr": "Banc", "name_en": "Bench"})
now = timezone.now()
subs = Subscriber.objects.bulk_create((Subscriber(email=f"b{i}@example.org", confirmed_at=now)
                                       for i in range(n)), batch_size=5000)
Subscription.objects.bulk_create((Subscription(subscriber=s, property=prop, channels=["email"])
                                  for s in subs), batch_size=5000)
alert = Alert.objects.create(topic=topic, title_fr="Banc", body_fr="Essai.", starts_at=now,
    target="polygon", area=square, status="sent", sent_at=now)
from alerts.delivery import fan_out
t = time.perf_counter(); inserted = fan_out.call(alert.pk, 1); queued = time.perf_counter() - t
print(json.dumps({"alert": alert.pk, "inserted": inserted, "queued_s": queued,
                  "tasks": DBTaskResult.objects.count()}))
""".replace("import sys, time", "import json, sys, time")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    port, db = int(os.environ.get("PGPORT", 5544)), os.environ.get("BENCH_ALERTS_DB",
                                                                    "guichet_bench_alerts")
    env = {**os.environ, "DATABASE_URL": f"postgis://postgres@127.0.0.1:{port}/{db}",
           "GUICHET_TASKS": "database", "LOG_LEVEL": "WARNING",
           "GUICHET_STATEMENT_TIMEOUT_MS": "0"}
    subprocess.run(["createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", db],
                   capture_output=True)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env,
                   check=True)
    out = subprocess.run([sys.executable, "manage.py", "shell", "-c", SETUP.replace(
        "int(sys.argv[1])", str(args.subscribers))], cwd=ROOT, env=env, check=True,
        capture_output=True, text=True).stdout
    queued = json.loads(out.strip().splitlines()[-1])
    smtp_port, counts_file = free_port(), ROOT / "bench" / "work" / "alerts-sink.json"
    counts_file.parent.mkdir(exist_ok=True)
    sink = subprocess.Popen([sys.executable, "-c", SINK, str(smtp_port), str(counts_file)])
    time.sleep(1)
    worker_env = {**env, "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}"}
    start = time.perf_counter()
    workers = [subprocess.Popen([sys.executable, "manage.py", "db_worker", "--interval", "0.1",
                                 "--no-startup-delay", "--no-reload", "-v", "0"], cwd=ROOT,
                                env=worker_env) for _ in range(args.workers)]
    import psycopg
    with psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname=db,
                         autocommit=True) as conn:
        while conn.execute("SELECT count(*) FROM alerts_delivery WHERE status = 'queued'"
                           ).fetchone()[0]:
            time.sleep(0.2)
        elapsed = time.perf_counter() - start
        statuses = dict(conn.execute("SELECT status, count(*) FROM alerts_delivery "
                                     "GROUP BY status").fetchall())
    for w in workers:
        w.send_signal(signal.SIGTERM)
        w.wait()
    sink.send_signal(signal.SIGTERM)
    sink.wait()
    counts = json.loads(counts_file.read_text())
    n = args.subscribers
    result = {**queued, "statuses": statuses, "deliver_s": elapsed,
              "messages_per_s": n / elapsed, "received": sum(counts.values()),
              "lost": n - len(counts), "doubled": sum(c - 1 for c in counts.values() if c > 1)}
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
