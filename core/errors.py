"""The error answers, in the site's layout and the visitor's language (HTML), or in the
caller's format (JSON for /api/, the spec's error list for Open311): 400, 403, 404, 500, and
503 with Retry-After while the database cannot be reached (the site recovers by itself when it
comes back; /readyz says when)."""
import json
import re
import sys
from xml.sax.saxutils import escape

from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from . import display

RETRY_AFTER_S = 30


def _kind(request) -> str:
    path = request.path_info
    if path.startswith("/open311/"):
        return "open311"
    return "api" if path.startswith("/api/") else "html"


# Characters XML 1.0 cannot carry.
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def open311_error(path: str, status: int, message: str) -> HttpResponse:
    """The Open311 spec's error list in the format the path asks for (.xml, else JSON): the
    same answer as service_requests.open311's own errors, for what fails before or outside
    its views (a body Django cannot parse, the database gone)."""
    if path.rstrip("/").endswith(".xml"):
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n<errors>\n  <error>\n'
                f"    <code>{status}</code>\n"
                f"    <description>{escape(_NOT_XML.sub('', message))}</description>\n"
                "  </error>\n</errors>\n")
        return HttpResponse(body.encode("utf-8"), content_type="text/xml; charset=utf-8",
                            status=status)
    body = json.dumps([{"code": status, "description": message}], ensure_ascii=False,
                      separators=(",", ":"))
    return HttpResponse(body.encode("utf-8"), content_type="application/json; charset=utf-8",
                        status=status)


def _answer(request, status: int, message: str, *, user=None):
    kind = _kind(request)
    if kind == "open311":
        return open311_error(request.path_info, status, message)
    if kind == "api":
        return JsonResponse({"detail": message}, status=status)
    context = {"message": message, "status": status}
    if user is not None:  # no database behind the page: the visitor is not looked up
        context["user"] = user
        context["display"] = display.for_browser(request)  # this browser's, not the account's
    return render(request, "core/error.html", context, status=status)


def page_not_found(request, exception=None):
    return _answer(request, 404, _("This page does not exist, or no longer does."))


def permission_denied(request, exception=None):
    return _answer(request, 403, _("You may not see this page."))


def bad_request(request, exception=None):
    return _answer(request, 400, _("The request could not be understood."))


def _database_gone(error) -> bool:
    """Whether `error` (or what caused it) is the database's operational failure: connection
    lost or refused, server shutting down, a statement cancelled. Judged on the error itself,
    not on whether the database answers now: a request cut by a restart must get its 503 even
    when the database is back by the time this handler runs."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, OperationalError | InterfaceError):
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


def server_error(request):
    """A 500; a 503 with Retry-After when what failed is the database connection (Django calls
    this handler while the exception is being handled: sys.exc_info() holds it)."""
    error = sys.exc_info()[1]
    if _database_gone(error):
        connection.close()  # the next request opens a new one
        message = _("The service is briefly unavailable. Try again in a minute; if you were "
                    "sending something, it was not saved: send it again.")
        response = _answer(request, 503, message, user=AnonymousUser())
        response["Retry-After"] = str(RETRY_AFTER_S)
        return response
    return _answer(request, 500, _("Something went wrong on our side. Try again later."),
                   user=AnonymousUser())


def database_ready() -> bool:
    try:
        connection.close_if_unusable_or_obsolete()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except DatabaseError:
        connection.close()
        return False


def readyz(request):
    """Readiness for a load balancer: the database answers (/healthz: the process is alive)."""
    if database_ready():
        return HttpResponse("ok", content_type="text/plain")
    response = HttpResponse("database unavailable", content_type="text/plain", status=503)
    response["Retry-After"] = str(RETRY_AFTER_S)
    return response
