"""API errors as JSON with a message in the user's language, never a 500 for bad input. Every
error body has the same shape, as core.api_schema documents it: `{"detail": "..."}`, and for
rejected fields (a filter's, a form's) their messages under `errors`, by field."""
import math

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import ngettext
from rest_framework.exceptions import ErrorDetail, Throttled, ValidationError
from rest_framework.views import exception_handler as drf_exception_handler

# DRF's words for a throttle's wait (rest_framework.exceptions.Throttled), as its msgids.
_WAIT_ONE = "Expected available in {wait} second."
_WAIT_MANY = "Expected available in {wait} seconds."


def _messages(detail) -> list[str]:
    if isinstance(detail, dict):
        return [m for value in detail.values() for m in _messages(value)]
    if isinstance(detail, list):
        return [m for value in detail for m in _messages(value)]
    return [str(detail)]


def _wait_in_one_language(exc: Throttled) -> None:
    """DRF formats "Expected available in N seconds." before it translates it, so that no
    catalogue can: an answer read "Trop de tentatives... Expected available in 299 seconds."
    Its English sentence is replaced by the reader's language's (core/drf_words.py)."""
    wait = math.ceil(exc.wait)
    english = (_WAIT_ONE if wait == 1 else _WAIT_MANY).format(wait=wait)
    detail = str(exc.detail).removesuffix(english).rstrip()
    ours = ngettext(_WAIT_ONE, _WAIT_MANY, wait).format(wait=wait)
    exc.detail = ErrorDetail(f"{detail} {ours}", code=getattr(exc.detail, "code", None))


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(detail=exc.messages)
    if isinstance(exc, Throttled) and exc.wait is not None:
        _wait_in_one_language(exc)
    response = drf_exception_handler(exc, context)
    if response is not None and not (isinstance(response.data, dict)
                                     and set(response.data) == {"detail"}):
        data = response.data
        response.data = {"detail": " ".join(_messages(data))}
        if isinstance(data, dict):
            response.data["errors"] = {field: _messages(value) for field, value in data.items()}
    return response
