"""The city's VAPID key pair (RFC 8292) for browser notifications, as the settings hold it:
base64url raw keys without padding, the public one the 65-byte uncompressed P-256 point a
browser's applicationServerKey takes, the private one its 32-byte secret. `manage.py vapid_keys`
makes a pair; a system check refuses a half or mismatched pair at start-up."""
import base64
import re

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core import checks


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    text = text.strip().rstrip("=")
    if not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def public_of(private_key: ec.EllipticCurvePrivateKey) -> str:
    return b64url(private_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))


def new_pair() -> tuple[str, str]:
    """(public, private) of a new P-256 key."""
    key = ec.generate_private_key(ec.SECP256R1())
    return public_of(key), b64url(key.private_numbers().private_value.to_bytes(32, "big"))


def private_key(private: str) -> ec.EllipticCurvePrivateKey:
    raw = unb64url(private)
    if len(raw) != 32:
        raise ValueError("the private key is not 32 bytes")
    return ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())


@checks.register()
def vapid_keys_are_a_pair(app_configs=None, **kwargs):
    public, private = settings.GUICHET_VAPID_PUBLIC_KEY, settings.GUICHET_VAPID_PRIVATE_KEY
    hint = "Run `manage.py vapid_keys` and set both lines it prints (or neither: no push)."
    if not public and not private:
        return []
    if not (public and private):
        return [checks.Error("Only one of GUICHET_VAPID_PUBLIC_KEY and "
                             "GUICHET_VAPID_PRIVATE_KEY is set.", hint=hint, id="alerts.E001")]
    try:
        matches = public_of(private_key(private)) == public.rstrip("=")
    except ValueError as error:
        return [checks.Error(f"GUICHET_VAPID_PRIVATE_KEY is not a P-256 key: {error}.",
                             hint=hint, id="alerts.E002")]
    if not matches:
        return [checks.Error("GUICHET_VAPID_PUBLIC_KEY is not the public key of "
                             "GUICHET_VAPID_PRIVATE_KEY.", hint=hint, id="alerts.E003")]
    if not re.match(r"^(mailto:[^@\s]+@\S+|https://\S+)$", settings.GUICHET_VAPID_SUBJECT):
        return [checks.Error(f"GUICHET_VAPID_SUBJECT={settings.GUICHET_VAPID_SUBJECT!r} is "
                             "neither a mailto: nor an https: address.",
                             hint="The push services write to it about the city's messages.",
                             id="alerts.E004")]
    return []
