"""The client's address, as far as it can be trusted."""
from django.conf import settings


def client_ip(request) -> str | None:
    """The address of the client: the connection's, or, behind GUICHET_TRUSTED_PROXIES reverse
    proxies, the one the outermost trusted proxy saw (X-Forwarded-For is appended to by each
    proxy, so only its last N entries were written by ours). DRF's throttles read the same
    setting (NUM_PROXIES)."""
    proxies = settings.GUICHET_TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies > 0 and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-min(proxies, len(hops))]
    return request.META.get("REMOTE_ADDR")


class RefuseNulBytes:
    """A 400 (core.errors: JSON for the API, the site's page otherwise) for a NUL byte in the
    path or the query string: PostgreSQL cannot store or compare one in text, so any view that
    looked it up would fail with a server error instead."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
                "\x00" in key or any("\x00" in value for value in values)
                for key, values in request.GET.lists()):
            from core.errors import bad_request

            return bad_request(request)
        return self.get_response(request)
