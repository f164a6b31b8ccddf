"""API errors as JSON with a message in the user's language, never a 500 for bad input. Every
error body has the same shape, as core.api_schema documents it: `{"detail": "..."}`, and for
rejected fields (a filter's, a form's) their messages under `errors`, by field."""
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError
from rest_framework.views import exception_handler as drf_exception_handler


def _messages(detail) -> list[str]:
    if isinstance(detail, dict):
        return [m for value in detail.values() for m in _messages(value)]
    if isinstance(detail, list):
        return [m for value in detail for m in _messages(value)]
    return [str(detail)]


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(detail=exc.messages)
    response = drf_exception_handler(exc, context)
    if response is not None and not (isinstance(response.data, dict)
                                     and set(response.data) == {"detail"}):
        data = response.data
        response.data = {"detail": " ".join(_messages(data))}
        if isinstance(data, dict):
            response.data["errors"] = {field: _messages(value) for field, value in data.items()}
    return response
