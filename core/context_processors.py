from django.conf import settings

from .web_app import THEME_COLOUR


def site(request):
    return {"municipality_name": settings.GUICHET_MUNICIPALITY_NAME,
            "theme_colour": THEME_COLOUR}
