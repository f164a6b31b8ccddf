"""One answer in the format the URL asked for (`.json` or `.xml`), and the spec's errors: a list
of {code, description} sent with that HTTP status (400, 403, 404...)."""
import json

from django.http import HttpResponse

from .xml import to_xml

JSON = "application/json; charset=utf-8"
XML = "text/xml; charset=utf-8"


class Open311Error(Exception):
    """Stops a view with the spec's error list. `descriptions`: one or more messages (already
    translated), each sent as one <error> with the same code; `retry_after` (seconds) for a 429."""

    def __init__(self, status: int, *descriptions: str, retry_after: int | None = None):
        super().__init__(*descriptions)
        self.status = status
        self.descriptions = [str(d) for d in descriptions]
        self.retry_after = retry_after


def render(data, *, fmt: str, root: str, status: int = 200) -> HttpResponse:
    """`data` as JSON, or as XML under the element `root` (the JSON has no root: a list or an
    object, as in the spec's examples)."""
    if fmt == "xml":
        return HttpResponse(to_xml(root, data), content_type=XML, status=status)
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return HttpResponse(body.encode("utf-8"), content_type=JSON, status=status)


def error_response(*, fmt: str, status: int, descriptions) -> HttpResponse:
    errors = [{"code": status, "description": d} for d in descriptions]
    return render(errors, fmt=fmt, root="errors", status=status)


def format_of(path: str) -> str:
    """The format a path asks for, for answers outside the routes (an unknown URL)."""
    return "xml" if path.rstrip("/").endswith(".xml") else "json"
