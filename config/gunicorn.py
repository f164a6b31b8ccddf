"""gunicorn's settings for Guichet in production, and for the benchmark:

    gunicorn -c config/gunicorn.py config.wsgi:application

Every value can be changed on the command line or by the environment variable beside it."""
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))  # about one per CPU
# gunicorn's gthread worker, listening only while a thread is free (config/workers.py).
worker_class = "config.workers.FairThreadWorker"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# No request holds a worker for long (issue 11): a worker silent this long is restarted. The
# database's statement_timeout (GUICHET_STATEMENT_TIMEOUT_MS, 30 s) ends a runaway query first.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "35"))
graceful_timeout = 10
keepalive = 5
# Workers are not recycled after N requests (max_requests): under load each restart costs a
# Django start-up and drops connections (measured: 1/3 of /healthz's throughput, socket errors).
