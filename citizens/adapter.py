"""allauth's account adapter: its sign-in throttle keyed on the client's address as the rest of
the site reads it, and usable from the API's token endpoint and for Open311's api_keys (one
throttle for every way in)."""
import hashlib
import math
import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import TypeVar
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter, get_adapter
from allauth.core.internal import ratelimit as allauth_ratelimit
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import translate_url
from django.utils.translation import gettext as _

from core.email import signature_context
from core.http import client_ip


def _public(url: str) -> str:
    """`url` (absolute, with the host the request came by) on the site's public address
    (GUICHET_SITE_URL): a link in an e-mail must work from the citizen's inbox."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return settings.GUICHET_SITE_URL.rstrip("/") + path


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        """allauth's messages name the town and the site's public address, like the site's
        own (core/email.py; account/email/base_message.txt)."""
        site = SimpleNamespace(name=f"Guichet {settings.GUICHET_MUNICIPALITY_NAME}",
                               domain=urlsplit(settings.GUICHET_SITE_URL).netloc)
        super().send_mail(template_prefix, email,
                          {**signature_context(), "current_site": site, **context})

    def get_login_redirect_url(self, request):
        """The page after sign-in, in the language the citizen prefers (their profile)."""
        url = super().get_login_redirect_url(request)
        from .models import Profile

        language = (Profile.objects.filter(user=request.user)
                    .values_list("language", flat=True).first())
        return translate_url(url, language) if language else url

    def get_email_confirmation_url(self, request, emailconfirmation):
        return _public(super().get_email_confirmation_url(request, emailconfirmation))

    def get_reset_password_from_key_url(self, key):
        return _public(super().get_reset_password_from_key_url(key))

    def get_client_ip(self, request):
        """The address the login_failed counters are kept per: X-Forwarded-For only as far as
        our own proxies (GUICHET_TRUSTED_PROXIES) wrote it, like DRF's throttles."""
        return client_ip(request) or super().get_client_ip(request)

    def pre_authenticate(self, request, **credentials):
        """allauth's count of failed sign-ins, without the 10-second lock-out that a lock left
        by a failed request (the database gone) would cause (see _break_stale_locks)."""
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError as error:
            key = self._get_login_attempts_cache_key(request, **credentials)
            if error.code != "too_many_login_attempts" or not _break_stale_locks(request, key):
                raise
            super().pre_authenticate(request, **credentials)


class LoginThrottled(Exception):
    """Too many failed sign-ins for this address or this account; `wait` in seconds (None if
    not known)."""

    def __init__(self, message, wait=None):
        super().__init__(message)
        self.message = message
        self.wait = wait


def authenticate(request, *, email: str, password: str):
    """The user with this e-mail and password, or None, counting a failure in the same
    counters as the web sign-in (allauth's "login_failed" rate limit, per client address and
    per e-mail, in the shared cache): raises LoginThrottled while either is used up, even for
    the right password. `request` is Django's HttpRequest."""
    adapter = get_adapter(request)
    try:
        return adapter.authenticate(request, email=email, password=password)
    except ValidationError as error:
        if error.code != "too_many_login_attempts":
            raise
        raise LoginThrottled(error.messages[0], _login_failed_wait(request, email)) from error


Found = TypeVar("Found")


def check_secret(request, *, secret: str, lookup: Callable[[str], Found | None]) -> Found | None:
    """`lookup(secret)` (what the secret opens, an API client for an api_key, or None), with a
    wrong secret counted as a failed sign-in: in allauth's "login_failed" counters, per client
    address (core.http.client_ip) and per secret, in the shared cache. Raises LoginThrottled,
    without looking the secret up, while either count is used up (so that guessing stops even
    when a guess is right); a right secret does not use up an attempt, nor does a lookup that
    fails (the database gone: that is no guess)."""
    key = _secret_key(secret)
    usage = _consume(request, key)
    if not usage:
        raise LoginThrottled(_("Too many failed attempts from this address (sign-ins or keys): "
                               "try again later."), _attempts_wait(request, key))
    try:
        found = lookup(secret)
    except BaseException:
        _rollback(usage)
        raise
    if found is not None:
        _rollback(usage)
    return found


def _consume(request, key: str):
    usage = allauth_ratelimit.consume(request, app="allauth.account", action="login_failed",
                                      key=key, limit_get=True)
    if not usage and _break_stale_locks(request, key):
        usage = allauth_ratelimit.consume(request, app="allauth.account",
                                          action="login_failed", key=key, limit_get=True)
    return usage


def _break_stale_locks(request, key: str) -> bool:
    """allauth refuses an attempt when it cannot take the lock on its counters within a second,
    as if they were used up. A request that took the lock and failed before releasing it (the
    database, which holds the cache, went away) leaves it for 10 s: after a database restart
    every key and sign-in from that address would be refused meanwhile. When the counters are
    not used up, such a lock is broken (True: try again, once)."""
    counters = list(_counters(request, key))
    if any(len(history) >= rate.amount for rate, _key, history in counters):
        return False
    for _rate, cache_key, _history in counters:
        cache.delete(f"{cache_key}:lock")  # allauth's cache_lock
    return True


def _rollback(usage):
    try:
        usage.rollback()
    except Exception:  # noqa: BLE001 (the cache gone too: the attempt stays counted)
        pass


def _secret_key(secret: str) -> str:
    # Never the secret itself in a cache key (allauth hashes it again).
    return "secret:" + hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _counters(request, key: str):
    """(rate, cache key, recent attempt times) of each of allauth's login_failed rates for this
    address and this key (allauth's own counters: a list of attempt times, newest first)."""
    now = time.time()
    for rate in allauth_ratelimit.get_rates(app="allauth.account", action="login_failed"):
        cache_key = allauth_ratelimit.get_cache_key(
            request, app="allauth.account", action="login_failed", rate=rate, key=key)
        yield rate, cache_key, [t for t in cache.get(cache_key, []) if t > now - rate.duration]


def _login_failed_wait(request, email: str) -> int | None:
    """Seconds until allauth would count one more attempt for this address and this e-mail."""
    adapter = get_adapter(request)
    return _attempts_wait(request, adapter._get_login_attempts_cache_key(request, email=email))


def _attempts_wait(request, key: str) -> int | None:
    """Seconds until allauth would count one more attempt for this address and this key."""
    now, wait = time.time(), 0.0
    try:
        for rate, _cache_key, history in _counters(request, key):
            if len(history) >= rate.amount:
                wait = max(wait, min(history) + rate.duration - now)
    except Exception:  # noqa: BLE001 (allauth internals: no Retry-After rather than a 500)
        return None
    return max(1, math.ceil(wait)) if wait else None
