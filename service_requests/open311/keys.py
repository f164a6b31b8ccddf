"""Open311 api_keys. A key is 32 random bytes (URL-safe text), shown once when it is made; only
its SHA-256 is stored, which is enough for a key of that strength (not a password: no salt, no
slow hash needed), and lets a request's key be looked up by an indexed equality."""
import hashlib
import secrets

from django.db import transaction

from ..models import ApiClient


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def client_for_key(key: str | None) -> ApiClient | None:
    """The active client holding `key`, or None (no key, unknown key, revoked client)."""
    if not key:
        return None
    return ApiClient.objects.filter(key_hash=hash_key(key.strip()), active=True).first()


@transaction.atomic
def create_client(*, name: str) -> tuple[ApiClient, str]:
    """A new client and its key: the key is returned once and never stored."""
    name = (name or "").strip()
    if not name:
        raise ValueError("A client needs a name.")
    key = secrets.token_urlsafe(32)
    client = ApiClient.objects.create(name=name[:120], key_hash=hash_key(key))
    return client, key
