"""Personal reminders: every app registers the kinds it knows (a collection tomorrow, a tax
instalment due, a request received...), and the alerts app's periodic job (`manage.py
send_reminders`, alerts/reminders.py) asks each kind what is due, writes one Delivery per
subscriber, channel and reminder, and has the sender render it. Like core.personal_data, the
registry is filled in the apps' AppConfig.ready() and only read afterwards; core imports no app.

A kind is one of two scopes:

- PROPERTY (a collection tomorrow, a watering ban, taxes): `due(now, property_ids)` answers for
  the properties some subscription asks this kind for (the job's work grows with the
  subscriptions, not with the town), each Due naming its `property_id`. The persons are the
  subscribers whose Subscription on that property lists the kind (or "kind:option") in its
  `reminders`. A kind may name an `audience` (e.g. "tax_viewers"): then only the accounts that
  audience's function returns for the property get it, and nobody if no app registered that
  audience (closed by default: tax reminders never reach someone who may not see the taxes).
- PERSON (an acknowledgement: request received, link decided): `due(now, property_ids=None)`
  names the person: `person` (an account) or, without an account, `email` (the address a
  subscriber confirmed). It reaches that person's own Subscriber only if they have one; none is
  created for them (subscribing stays the citizen's choice).

The key of a reminder, which the database keeps unique per subscriber and channel, is (kind,
`subject`, `on`): `subject` names what it is about ("property:12:stream:garbage",
"instalment:40", "request:7"), `on` the date it is about (the collection day, the due date...).
Computing it again the next hour, or after a crash, gives the same key: never a second message.

`render(context, language) -> (subject line, text)` writes the message in the subscriber's
language (templates under the owning app's templates/<app>/reminders/). The Delivery row keeps
only the key, so `load(subject, on) -> context | None` rebuilds the context when the message is
sent; None means it no longer holds (the instalment was paid, the request deleted): not sent.

`options` (optional): `options() -> [(value, label)]` the choices a citizen may make within a
kind, stored in Subscription.reminders as "kind:value" (the streams of "collection_tomorrow");
a Due with `option` set reaches the subscriptions listing "kind" (all) or "kind:option"."""
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

PROPERTY = "property"
PERSON = "person"
MAX_SUBJECT = 100  # Delivery.subject
MAX_CODE = 40  # Subscription.reminders entries, Delivery.kind
# How far back a PERSON kind looks for what happened (a request received, a link decided): the
# job runs every hour or so; a job stopped longer than this loses those acknowledgements.
LOOKBACK = dt.timedelta(days=2)
# The evening before: a "tomorrow" reminder is due from this local time on.
EVENING = dt.time(17, 0)


@dataclass(frozen=True)
class Due:
    subject: str
    on: dt.date
    context: dict = field(default_factory=dict, compare=False, hash=False)
    property_id: int | None = None
    person: object = None  # an account (PERSON kinds)
    email: str = ""  # PERSON kinds without an account: a subscriber's confirmed address
    option: str = ""  # e.g. the stream's slug: reaches "kind" and "kind:option"


@dataclass(frozen=True)
class Kind:
    code: str
    due: Callable[..., Iterable[Due]]
    render: Callable[[dict, str], tuple[str, str]]
    label: object  # a lazy translation: what the subscription page shows
    load: Callable[[str, dt.date], dict | None] | None = None
    scope: str = PROPERTY
    audience: str | None = None
    options: Callable[[], list[tuple[str, str]]] | None = None
    order: int = 100


_kinds: dict[str, Kind] = {}
_audiences: dict[str, Callable] = {}
_senders: list[Callable] = []  # at most one: the app that delivers (alerts)


def register(kind: str, *, due: Callable, render: Callable, label, load: Callable | None = None,
             scope: str = PROPERTY, audience: str | None = None,
             options: Callable | None = None, order: int = 100) -> None:
    if scope not in (PROPERTY, PERSON):
        raise ValueError(f"reminder {kind}: scope must be {PROPERTY!r} or {PERSON!r}")
    if not kind or len(kind) > MAX_CODE or ":" in kind:
        raise ValueError(f"reminder {kind!r}: a code of 1 to {MAX_CODE} characters, no ':'")
    _kinds[kind] = Kind(kind, due, render, label, load, scope, audience, options, order)


def register_audience(name: str, members: Callable) -> None:
    """`members(property_ids) -> {property id: set of user ids}`: who, among accounts, may
    receive a kind naming this audience about each property."""
    _audiences[name] = members


def register_sender(send: Callable[[str, list[Due]], set[int]]) -> None:
    """`send(kind, dues) -> indexes of the dues that reached someone`: queues a PERSON kind's
    reminders at once (the delivering app registers it: alerts)."""
    _senders[:] = [send]


def send_now(kind: str, dues: list[Due]) -> set[int]:
    """Queues now the reminders `dues` of PERSON kind `kind` (news that cannot wait for the
    periodic job: a request's status changed), each to its person's own subscriber, on their
    channels and in their language, with the same key as the job would give (never twice).
    Returns the indexes of the dues that reached a subscriber; the caller tells the others its
    own way. Nothing reached when no app delivers."""
    if get(kind) is None or not _senders:
        return set()
    return _senders[0](kind, dues)


def kinds() -> list[Kind]:
    return sorted(_kinds.values(), key=lambda k: (k.order, k.code))


def get(code: str) -> Kind | None:
    return _kinds.get(code)


def audience(name: str) -> Callable | None:
    return _audiences.get(name)


def choices() -> list[tuple[str, object]]:
    """(code, label) of every kind, then of each kind's options: for the subscription page."""
    out = []
    for kind in kinds():
        out.append((kind.code, kind.label))
        for value, label in (kind.options() if kind.options else []):
            out.append((f"{kind.code}:{value}", label))
    return out


def wanted(code: str, option: str = "") -> list[str]:
    """The Subscription.reminders entries that ask for a reminder of this kind and option."""
    return [code, f"{code}:{option}"] if option else [code]


def templates(prefix: str) -> Callable[[dict, str], tuple[str, str]]:
    """A `render` from two templates, `<prefix>_subject.txt` (one line) and `<prefix>.txt`,
    rendered in `language` with the context and `site` (the site's address)."""
    def render(context: dict, language: str) -> tuple[str, str]:
        with translation.override(language):
            data = {**context, "site": settings.GUICHET_SITE_URL}
            subject = " ".join(render_to_string(f"{prefix}_subject.txt", data).split())
            text = render_to_string(f"{prefix}.txt", data)
        return subject, text
    return render


def absolute_url(name: str, *args, language: str | None = None) -> str:
    """The site's address of a named URL, in `language` (the active one by default)."""
    with translation.override(language or translation.get_language()):
        return settings.GUICHET_SITE_URL + reverse(name, args=args)
