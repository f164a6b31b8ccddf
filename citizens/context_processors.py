from django.utils.functional import SimpleLazyObject

from .selectors import display_for


def display(request):
    """`display`: the text size and contrast to draw the page with (core/base.html). Lazy: read
    only by a page that uses it; the error pages give their own (core.errors)."""
    return {"display": SimpleLazyObject(lambda: display_for(request))}
