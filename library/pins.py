"""Where a card's PIN is while the citizen uses it, since it is never stored.

The library's system wants the card's PIN with every call (patron information, renewal), so the
portal needs it for as long as the citizen looks at their record, and no longer. Three ways were
weighed:

- asking for the PIN on every page and every renewal: nothing kept anywhere, but a family with
  three cards types twelve PINs to renew a week's books, and the dashboard could never show a
  card's line;
- keeping it in the browser (a cookie): it would travel with every request to every page and
  sit on the citizen's computer, out of the portal's hands;
- keeping it in the server-side session for a short time: chosen. The citizen types it once per
  card (when linking the card, or on the record page), and it is kept encrypted (Fernet, a key
  derived from SECRET_KEY and this purpose) in their session, with its time: after
  GUICHET_LIBRARY_PIN_MINUTES (15) it no longer decrypts and is asked again; signing out ends
  the session and the PIN with it. The session table alone (a backup, a dump) holds no usable
  PIN, and no model, log, cache entry or access-log line ever holds it.

So the dashboard shows a card's line from the short cache that the record page fills, and asks
for the PIN otherwise."""
import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

SESSION_KEY = "library:pins"


def _fernet() -> Fernet:
    digest = hashlib.sha256(b"guichet.library.pin:" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def keep(session, card_id, pin: str) -> None:
    pins = dict(session.get(SESSION_KEY, {}))
    pins[str(card_id)] = _fernet().encrypt(pin.encode()).decode("ascii")
    session[SESSION_KEY] = pins


def get(session, card_id) -> str | None:
    token = session.get(SESSION_KEY, {}).get(str(card_id))
    if token is None:
        return None
    try:
        return _fernet().decrypt(token.encode("ascii"),
                                 ttl=settings.GUICHET_LIBRARY_PIN_MINUTES * 60).decode()
    except InvalidToken:
        forget(session, card_id)
        return None


def forget(session, card_id) -> None:
    pins = dict(session.get(SESSION_KEY, {}))
    if pins.pop(str(card_id), None) is not None:
        session[SESSION_KEY] = pins
