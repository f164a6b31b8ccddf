"""allauth's account adapter: its sign-in throttle keyed on the client's address as the rest of
the site reads it, and usable from the API's token endpoint (one throttle for every way in)."""
import math
import time

from allauth.account.adapter import DefaultAccountAdapter, get_adapter
from allauth.core.internal import ratelimit as allauth_ratelimit
from django.core.cache import cache
from django.core.exceptions import ValidationError

from core.http import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request):
        """The address the login_failed counters are kept per: X-Forwarded-For only as far as
        our own proxies (GUICHET_TRUSTED_PROXIES) wrote it, like DRF's throttles."""
        return client_ip(request) or super().get_client_ip(request)


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


def _login_failed_wait(request, email: str) -> int | None:
    """Seconds until allauth would count one more attempt for this address and this e-mail
    (reads allauth's own counters: a list of attempt times per key, newest first)."""
    adapter = get_adapter(request)
    key = adapter._get_login_attempts_cache_key(request, email=email)
    now, wait = time.time(), 0.0
    try:
        rates = allauth_ratelimit.get_rates(app="allauth.account", action="login_failed")
        for rate in rates:
            cache_key = allauth_ratelimit.get_cache_key(
                request, app="allauth.account", action="login_failed", rate=rate, key=key)
            history = [t for t in cache.get(cache_key, []) if t > now - rate.duration]
            if len(history) >= rate.amount:
                wait = max(wait, min(history) + rate.duration - now)
    except Exception:  # noqa: BLE001 (allauth internals: no Retry-After rather than a 500)
        return None
    return max(1, math.ceil(wait)) if wait else None
