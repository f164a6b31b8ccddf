"""French first, English too: the one place that picks a field's language. Models keep each
text twice (`name_fr`, `name_en`); the request's language (LocaleMiddleware) chooses, and an
empty English text falls back to the French one."""
from django.utils.translation import get_language


def is_english() -> bool:
    return (get_language() or "fr").startswith("en")


def localized(obj, field: str) -> str:
    """`obj.<field>_en` on an English page when it is filled, else `obj.<field>_fr`. `obj` may be
    a model instance or a dict (a `.values()` row, a JSON object)."""
    get = obj.get if isinstance(obj, dict) else (lambda name: getattr(obj, name, ""))
    return (is_english() and get(f"{field}_en")) or get(f"{field}_fr")


def localized_key(mapping: dict, fallback: str = "") -> str:
    """A {"fr": ..., "en": ...} mapping's text in the page's language (French when missing)."""
    return (is_english() and mapping.get("en")) or mapping.get("fr") or fallback
