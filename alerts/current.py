"""The current alerts as the home page and the property pages show them, rendered once per
language and kept in Django's cache (shared by every worker process), so that a page with
current alerts costs no more than one without: one cache read instead of a query and a
rendering per request.

The entry expires at the next moment the list changes by itself (a sent alert starts or ends),
and is dropped when an alert or a topic is saved or deleted (after the commit, so that no
request can put the old list back). A property page keeps the alerts whose area reaches its
parcel: one statement for their ids, only when some alert is current."""
import datetime as dt

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Min, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from .models import Alert
from .selectors import current_alert_ids_reaching, current_alerts

# At most this long in the cache (seconds), whatever the alerts' own times say.
MAX_AGE_S = 300
HOME_ALERTS = 10
_KEY = "alerts:current:{language}"


def _next_change(now: dt.datetime) -> dt.datetime | None:
    """The next time a sent alert starts or ends, after `now`."""
    sent = Alert.objects.filter(status=Alert.Status.SENT)
    times = sent.aggregate(start=Min("starts_at", filter=Q(starts_at__gt=now)),
                           end=Min("ends_at", filter=Q(ends_at__gt=now)))
    return min((t for t in times.values() if t), default=None)


def _render(now: dt.datetime) -> list[tuple[int, str]]:
    return [(alert.pk, render_to_string("alerts/_current_item.html", {"a": alert}))
            for alert in current_alerts(now)]


def _section(items) -> str:
    if not items:
        return ""
    return render_to_string("alerts/_current.html",
                            {"items": [mark_safe(html) for _, html in items]})  # noqa: S308


def cache_key() -> str:
    """The key of the current alerts' entry in the active language, for a page that reads it in
    one get_many with its other entries."""
    return _KEY.format(language=translation.get_language())


def _current(hits: dict | None = None) -> dict:
    """{"items": [(alert id, its list item's HTML)] of every current alert, latest first,
    "home": the home page's section}, in the active language: from the cache (`hits`: what the
    caller read of it with cache_key() among its keys; None: read here), else rendered and
    cached until the list's next change."""
    key = cache_key()
    current = hits.get(key) if hits is not None else cache.get(key)
    if current is None:
        now = timezone.now()
        items = _render(now)
        current = {"items": items, "home": _section(items[:HOME_ALERTS])}
        change = _next_change(now)
        timeout = MAX_AGE_S if change is None else min(
            MAX_AGE_S, max(1, int((change - now).total_seconds()) + 1))
        cache.set(key, current, timeout)
    return current


def home_section() -> str:
    """The home page's "Current alerts" section (empty when none)."""
    return mark_safe(_current()["home"])  # noqa: S308 (rendered by our template)


def property_section(prop, hits: dict | None = None) -> str:
    """The property page's: the current alerts whose area reaches the property. `hits`: see
    _current."""
    items = _current(hits)["items"]
    if not items:
        return ""
    reached = current_alert_ids_reaching(prop.pk, [pk for pk, _ in items])
    return _section([item for item in items if item[0] in reached])


def forget(**_kwargs) -> None:
    """Drops the cached lists (every language) once the transaction commits."""
    keys = [_KEY.format(language=code) for code, _ in settings.LANGUAGES]
    transaction.on_commit(lambda: cache.delete_many(keys))
