"""Open311 GeoReport v2 views: thin. Each answers in the format of its URL's suffix and in the
request's language (?locale=, else Accept-Language, else French); an Open311Error becomes the
spec's error list, and so does a body Django cannot parse (a multipart without its boundary).
Reading needs no key; POST requests needs an api_key (403 without; wrong keys count as failed
sign-ins, 429 once they are used up). A jurisdiction_id, when given, must be this city's."""
import re
import uuid
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import BadRequest, SuspiciousOperation
from django.db.models import Exists, OuterRef
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from citizens.adapter import LoginThrottled, check_secret
from core.http import client_ip

from ..models import Category, Question, ServiceRequest
from ..uploads import MaxSizeUploadHandler
from . import keys, queries, representations, submission
from .responses import Open311Error, error_response, format_of, render


def request_language(request) -> str:
    """?locale=en (or en_CA, en-US...), else the Accept-Language header, else French. (The
    LocaleMiddleware gives the default language to every URL outside i18n_patterns.)"""
    wanted = (request.GET.get("locale") or "").strip().replace("_", "-")
    if wanted:
        try:
            return translation.get_supported_language_variant(wanted.lower())
        except LookupError:
            pass
    return translation.get_language_from_request(request) or settings.LANGUAGE_CODE


def open311(*methods):
    """Language, allowed methods, errors and no CSRF check, for a view taking the format as
    `fmt`."""
    allowed = set(methods) | ({"HEAD"} if "GET" in methods else set())

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, fmt, **kwargs):
            language = request_language(request)
            with translation.override(language):
                try:
                    if request.method not in allowed:
                        raise Open311Error(405, _("Method %(method)s is not allowed here.")
                                           % {"method": request.method})
                    _check_jurisdiction(request.GET)
                    response = view(request, *args, fmt=fmt, **kwargs)
                except (BadRequest, MultiPartParserError, SuspiciousOperation):
                    # Django could not parse the body (no multipart boundary, too many
                    # fields...): its 400 would be the site's, in JSON whatever the format.
                    response = error_response(fmt=fmt, status=400, descriptions=[_(
                        "The body of the request could not be read: send the fields as "
                        "application/x-www-form-urlencoded, or as multipart/form-data with "
                        "its boundary.")])
                except Open311Error as error:
                    response = error_response(fmt=fmt, status=error.status,
                                              descriptions=error.descriptions)
                    if error.status == 405:
                        response["Allow"] = ", ".join(sorted(allowed))
                    if error.retry_after:
                        response["Retry-After"] = str(error.retry_after)
            response["Content-Language"] = language
            patch_vary_headers(response, ["Accept-Language"])
            return response

        # No session-based write here: POST requests authenticates with its api_key.
        return csrf_exempt(wrapper)

    return decorate


def _check_jurisdiction(params):
    """The spec's jurisdiction_id is optional for an endpoint serving one city; given (in the
    query string, or a POST's form), it must be this one's (GUICHET_OPEN311_JURISDICTION, any
    case), else the spec's 404."""
    given = (params.get("jurisdiction_id") or "").strip()
    if given and given.lower() != settings.GUICHET_OPEN311_JURISDICTION.lower():
        raise Open311Error(404, _("jurisdiction_id \"%(given)s\" is not served here: this "
                                  "endpoint serves only \"%(ours)s\".")
                           % {"given": given[:100], "ours": settings.GUICHET_OPEN311_JURISDICTION})


@open311("GET")
def discovery(request, fmt):
    url = request.build_absolute_uri(reverse("open311:root"))
    return render(representations.discovery(url=url), fmt=fmt, root="discovery")


@open311("GET")
def service_list(request, fmt):
    categories = (Category.objects.filter(active=True)
                  .annotate(has_questions=Exists(Question.objects.filter(
                      category=OuterRef("pk")))))
    return render([representations.service(c) for c in categories], fmt=fmt, root="services")


@open311("GET")
def service_definition(request, service_code, fmt):
    category = (Category.objects.filter(code=service_code, active=True)
                .prefetch_related("questions").first() if "\x00" not in service_code else None)
    if category is None:
        raise Open311Error(404, _("No service has the code \"%(code)s\".")
                           % {"code": service_code[:100]})
    return render(representations.service_definition(category), fmt=fmt,
                  root="service_definition")


@open311("GET", "POST")
def service_requests(request, fmt):
    if request.method == "POST":
        return _create(request, fmt)
    page = queries.matching(request.GET)
    response = render([_public(r, request) for r in page.requests], fmt=fmt,
                      root="service_requests")
    if page.has_next:
        following = urlencode({**request.GET.dict(), "page": page.number + 1})
        response["Link"] = f'<{request.build_absolute_uri(request.path)}?{following}>; rel="next"'
    return response


def _create(request, fmt):
    # The size guard goes in before anything reads the body (a huge upload is cut short).
    request.upload_handlers.insert(0, MaxSizeUploadHandler(request))
    post, files = request.POST, request.FILES
    if request.upload_too_large:
        raise Open311Error(400, _("The photo is too large: at most %(mb)d MB.")
                           % {"mb": settings.GUICHET_PHOTO_MAX_BYTES // 1_000_000})
    _check_jurisdiction(post)
    key = post.get("api_key") or request.GET.get("api_key")
    if not key:
        raise Open311Error(403, _("api_key is required to submit a request."))
    try:
        client = check_secret(request, secret=key, lookup=keys.client_for_key)
    except LoginThrottled as throttled:
        raise Open311Error(429, throttled.message, retry_after=throttled.wait) from None
    if client is None:
        raise Open311Error(403, _("This api_key is not valid (unknown or revoked)."))
    created = submission.submit(post=post, files=files, api_client=client,
                                ip=client_ip(request))
    return render([representations.created(created)], fmt=fmt, root="service_requests")


@open311("GET")
def request_detail(request, request_id, fmt):
    found = (queries.readable_requests().filter(pk=int(request_id)).first()
             if queries.is_number(request_id) else None)
    if found is None:
        raise Open311Error(404, _("No request has the number \"%(id)s\".")
                           % {"id": request_id[:30]})
    return render([_public(found, request)], fmt=fmt, root="service_requests")


@open311("GET")
def token(request, token, fmt):
    # A token is the public_id of a request made through this API (never its confirm_token,
    # the secret of the e-mail link).
    try:
        public_id = uuid.UUID(token)
    except ValueError:
        public_id = None
    found = (ServiceRequest.objects.filter(public_id=public_id, channel="api").first()
             if public_id else None)
    if found is None:
        raise Open311Error(404, _("No request has the token \"%(token)s\".")
                           % {"token": token[:60]})
    return render([representations.token(found)], fmt=fmt, root="service_requests")


def _public(found, request):
    return representations.service_request(found, absolute=request.build_absolute_uri)


def root(request):
    return redirect("open311:discovery", fmt="json")


def not_found(request, path=""):
    fmt = format_of(request.path)
    suffix = re.search(r"\.([A-Za-z0-9]{1,10})/?$", request.path)
    with translation.override(request_language(request)):
        if suffix and suffix[1].lower() not in ("json", "xml"):
            message = _("The format \"%(format)s\" is not offered: ask for .json or .xml "
                        "(see discovery.json).") % {"format": suffix[1]}
        else:
            message = _("There is nothing at this address. See discovery.json for the "
                        "endpoints.")
        return error_response(fmt=fmt, status=404, descriptions=[message])
