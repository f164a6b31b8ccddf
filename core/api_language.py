"""The JSON API (/api/...) answers in the language its client asks for in Accept-Language
(French or English; French when it asks for neither or says nothing). Open311, outside /api/,
reads its own ?locale= first (service_requests/open311/views.py).

LocaleMiddleware gives every URL outside i18n_patterns the site's default language whatever was
asked, so the API spoke only French: the English property page's map legend, the reports map's
statuses and every API error message came out in French. The site's own scripts send their
page's language (map_ui/static/map_ui/api.js). The header decides, not the language cookie: a
page's scripts must get the page's language, whatever was chosen on another page. Answers vary
by it (LocaleMiddleware's Vary: Accept-Language; Content-Language says which)."""
from django.conf import settings
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

API_PREFIX = "/api/"


def accepted_language(header: str) -> str:
    """The first language of an Accept-Language header, by preference, that the site speaks
    ("en-CA" is English); else the site's default."""
    for code, _quality in parse_accept_lang_header(header):  # bounded by Django (500 chars)
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


class ApiLanguage:
    """After LocaleMiddleware: on the API's paths, the language of Accept-Language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(API_PREFIX):
            language = accepted_language(request.headers.get("Accept-Language", ""))
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
