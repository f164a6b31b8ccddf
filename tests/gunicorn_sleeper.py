"""A WSGI application for tests/test_gunicorn_worker.py: each answer is the worker's process id,
after `?s=` seconds of waiting (a request that keeps a thread, as a slow query does)."""
import os
import time
from urllib.parse import parse_qs


def app(environ, start_response):
    seconds = float(parse_qs(environ.get("QUERY_STRING", "")).get("s", ["0"])[0])
    time.sleep(min(seconds, 5.0))
    body = str(os.getpid()).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
