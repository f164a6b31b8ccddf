"""The production server's settings (config/gunicorn.py), read as gunicorn reads them: no
request can hold a worker for long, and the worker outlives the database's statement timeout so
that a runaway query is cancelled (a clean error) before the worker is killed."""
from pathlib import Path

from django.conf import settings
from gunicorn.config import Config
from gunicorn.workers.gthread import ThreadWorker

from config.workers import FairThreadWorker

ROOT = Path(__file__).resolve().parents[1]


def test_a_stuck_worker_is_restarted_after_the_statement_timeout():
    config = Config()
    namespace = {}
    exec((ROOT / "config" / "gunicorn.py").read_text(), namespace)
    for name in ("bind", "workers", "worker_class", "threads", "timeout", "graceful_timeout",
                 "keepalive"):
        config.set(name, namespace[name])  # refuses an unknown name or a bad value
    assert config.worker_class_str == "config.workers.FairThreadWorker"
    assert config.max_requests == 0
    assert issubclass(FairThreadWorker, ThreadWorker) and config.worker_class is FairThreadWorker
    assert 0 < settings.GUICHET_STATEMENT_TIMEOUT_MS / 1000 < config.timeout <= 60
