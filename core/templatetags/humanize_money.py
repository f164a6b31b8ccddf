from django import template
from django.utils.formats import number_format

from core.bilingual import is_english

register = template.Library()


@register.filter
def money(value, decimals=0):
    """Dollars the way each language writes them: "412 300 $" in French, "$412,300"; with
    `money:2`, cents too (a tax balance): "1 234,56 $", "$1,234.56"."""
    if value is None:
        return "—"
    text = number_format(value, decimal_pos=int(decimals), use_l10n=True, force_grouping=True)
    return f"${text}" if is_english() else f"{text} $"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
