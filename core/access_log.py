"""Record every view or change of personal data (Quebec Law 25): who, whose, what, when; and
read it back to the citizen in plain words, one line per access.

A record is stored as "kind:key" ("link:<uuid>", "household:all", "dashboard"), as written.
How each kind reads is registered by the app that writes it, in its AppConfig.ready(), like
core.personal_data: `register_kind(kind, describe)`, where describe(keys, subject) takes the
keys of that kind on a page of the log and returns {key: words} in the active language (one
read for all the keys). The stored rows are never rewritten: the words are made at display."""
from collections import defaultdict
from collections.abc import Callable, Iterable

from django.db.models import Max
from django.db.models.functions import TruncMinute

from .models import AccessLog

Describe = Callable[[list[str], object], dict[str, str]]
_kinds: dict[str, Describe] = {}


def log_access(request, *, subject, action: str, record: str) -> None:
    """`subject`: the citizen whose data it is; `record`: "kind:id" of what was seen or
    changed; `action`: one of AccessLog.Action."""
    actor = request.user if request.user.is_authenticated else None
    AccessLog.objects.create(actor=actor, actor_is_staff=bool(actor and actor.is_staff),
                             subject=subject, action=action, record=record,
                             path=request.get_full_path()[:300])


def export_access_log(user) -> list[dict]:
    """The log of a citizen's data, for their export (Law 25). Kept on deletion: its rows stay,
    their subject set NULL with the account."""
    return [{"at": e.at.isoformat(), "by_staff": e.actor_is_staff,
             "by_me": e.actor_id == user.pk, "action": e.action, "record": e.record}
            for e in AccessLog.objects.filter(subject=user)]


def citizen_log(user):
    """The log of a citizen's data as they read it, most recent first: one row per access.
    One person's views (or changes) of one record within the same minute are one access: a
    clerk's page that lists a link twice and then the link's own page, a reload. Rows are dicts:
    `last` (the latest time), `actor_id`, `actor_is_staff`, `action`, `record`."""
    return (AccessLog.objects.filter(subject=user)
            .annotate(minute=TruncMinute("at"))
            .values("minute", "actor_id", "actor_is_staff", "action", "record")
            .annotate(last=Max("at"))
            .order_by("-minute", "-last"))


def in_words(words) -> Describe:
    """A Describe for records that all read the same ("Your profile"): `words` a lazy
    translation, written in the page's language when the log is shown."""
    return lambda keys, subject: {key: str(words) for key in keys}


def register_kind(kind: str, describe: Describe) -> None:
    """`kind` covers the record `kind` itself and every "kind:key"; the longest kind wins
    ("alerts:subscription" over "alerts")."""
    _kinds[kind] = describe


def _kind_of(record: str) -> tuple[str | None, str]:
    best = None
    for kind in _kinds:
        if (record == kind or record.startswith(kind + ":")) and len(kind) > len(best or ""):
            best = kind
    if best is None:
        return None, record
    return best, record[len(best) + 1:]


def describe_records(records: Iterable[str], subject) -> dict[str, str]:
    """{record: plain words} for `subject`'s log; a kind no app registered reads as stored."""
    keys_by_kind: dict[str | None, set[str]] = defaultdict(set)
    for record in set(records):
        kind, key = _kind_of(record)
        keys_by_kind[kind].add(key)
    words = {}
    for kind, keys in keys_by_kind.items():
        found = _kinds[kind](sorted(keys), subject) if kind is not None else {}
        for key in keys:
            record = key if kind is None else (f"{kind}:{key}" if key else kind)
            words[record] = found.get(key) or record
    return words
