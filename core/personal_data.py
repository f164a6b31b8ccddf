"""Law 25: every app registers what it holds about a person, so that the portal's "all my data"
export and account deletion cover every app without knowing them. Each app registers in its
AppConfig.ready(), like the admin's registry: the registry is filled at start-up and only read
afterwards.

- export(user) returns JSON-ready data (str, numbers, bools, None, lists, dicts), under `key`;
- erase(user) removes the person from the app's records, keeping the city's records without
  their identity; it runs inside the deletion's transaction, before the account is deleted."""
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Part:
    key: str
    export: Callable | None = None
    erase: Callable | None = None
    order: int = 100  # the export's key order, and the order of erasure


_parts: dict[str, Part] = {}


def register(key: str, *, export: Callable | None = None, erase: Callable | None = None,
             order: int = 100) -> None:
    _parts[key] = Part(key, export, erase, order)


def parts() -> list[Part]:
    return sorted(_parts.values(), key=lambda p: (p.order, p.key))


def export(user) -> dict:
    return {part.key: part.export(user) for part in parts() if part.export}


def erase(user) -> None:
    for part in parts():
        if part.erase:
            part.erase(user)


def json_value(value):
    """A date or datetime as ISO 8601, None as null, anything else as text."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value) if value is not None else None
