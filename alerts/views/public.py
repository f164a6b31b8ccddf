"""The public alert pages: the current alerts on a map and in a list, the past ones, one alert's
page, and its CAP 1.2 message.

Pages anyone may use: subscribing to an address's alerts without an account (double opt-in:
a link to the e-mail address or mobile number, nothing else sent before it is followed),
following that link (a page with a button: mail scanners open links), and one-click
unsubscribe (RFC 8058: the token in the address authenticates it)."""
import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.counters import count
from core.http import client_ip
from core.web_app import offline_precache
from map_ui.config import map_base
from properties.models import Property
from properties.selectors import find_properties

from .. import cap, selectors, services
from ..forms import AddressSearchForm, AnonymousSubscribeForm
from ..models import Subscriber, Topic
from ..notifications import send_confirmation
from ..selectors import address_of_property

PUSH_BODY_MAX = 8192  # two PushSubscriptions' JSON, each well under 2 kB

MAP_ALERTS = 100
SERVICE_WORKER = Path(__file__).resolve().parent.parent / "static" / "alerts" / "sw.js"


def alert_list(request):
    current = list(selectors.with_wgs84_area(selectors.current_alerts().defer(None))
                   .defer("drawn")[:MAP_ALERTS])
    current_ids = [a.pk for a in current]
    past = Paginator(selectors.published_alerts().exclude(pk__in=current_ids)
                     .defer("area", "drawn"), 20).get_page(request.GET.get("page"))
    config = {**map_base(), "alerts": [
        {"title": a.title, "url": reverse("alerts:detail", args=[a.pk]),
         "area": json.loads(a.geojson) if a.geojson else None} for a in current]}
    return render(request, "alerts/list.html", {
        "current": current, "past": past, "topics": Topic.objects.filter(active=True),
        "map_config": config})


def _published(pk):
    return get_object_or_404(
        selectors.with_wgs84_area(selectors.published_alerts()).defer("drawn"), pk=pk)


def detail(request, pk):
    alert = _published(pk)
    config = {**map_base(), "area": json.loads(alert.geojson) if alert.geojson else None}
    return render(request, "alerts/detail.html", {
        "alert": alert, "current": selectors.current_alerts().filter(pk=alert.pk).exists(),
        "map_config": config})


@require_safe
def service_worker(request):
    """/sw.js: the site's worker (alerts/static/alerts/sw.js), which shows the notifications
    and the offline page (core.web_app: what to keep, given to it here), served at the site's
    root so that its scope is the whole site; not cached, so a new version reaches the
    browsers at their next visit."""
    response = HttpResponse(_worker_code(), content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


@csrf_exempt  # the browser proves itself by its old subscription's secret, not a session
@require_POST
def push_renew(request):
    """The service worker's pushsubscriptionchange: {"old": the old PushSubscription's JSON,
    "new": the new one's}. 200 with the browser's id; 404 when no browser held the old one;
    400 when the new one is not valid."""
    try:
        if len(request.body) > PUSH_BODY_MAX:
            raise ValueError
        data = json.loads(request.body)
        old, new = data["old"], data["new"]
        old_endpoint, old_auth = old["endpoint"], (old.get("keys") or {})["auth"]
        endpoint, keys = new["endpoint"], new.get("keys") or {}
    except (ValueError, KeyError, TypeError, AttributeError):
        return JsonResponse({"error": _("This browser's subscription is not valid.")},
                            status=400)
    try:
        browser = services.renew_push_endpoint(
            old_endpoint=old_endpoint, old_auth=old_auth, endpoint=endpoint,
            p256dh=keys.get("p256dh"), auth=keys.get("auth"))
    except ValidationError as error:
        return JsonResponse({"error": " ".join(error.messages)}, status=400)
    if browser is None:
        return JsonResponse({"error": _("No browser holds this subscription.")}, status=404)
    return JsonResponse({"id": browser.pk})


def _worker_code() -> bytes:
    config = f"self.GUICHET_OFFLINE = {json.dumps(offline_precache())};\n"
    config += f"self.GUICHET_PUSH_RENEW = {json.dumps(reverse('push_renew'))};\n"
    code = SERVICE_WORKER.read_text(encoding="utf-8")
    return code.replace('"use strict";\n', '"use strict";\n' + config, 1).encode()


def cap_message(request, pk):
    alert = get_object_or_404(selectors.published_alerts(), pk=pk)
    element = cap.alert_element(
        alert, web_url=request.build_absolute_uri(reverse("alerts:detail", args=[alert.pk])),
        area_desc=alert.get_target_display())
    return HttpResponse(cap.to_bytes(element), content_type=cap.CONTENT_TYPE)


def subscribe(request):
    search = AddressSearchForm(request.GET or None)
    found = find_properties(search.cleaned_data["q"]) if search.is_valid() else []
    return render(request, "alerts/public/subscribe.html", {"search": search, "found": found})


# Sign-ups without an account send a confirmation to the address or number given: bounded per
# connection and per address, so that the form cannot be used to flood someone's inbox or phone
# (or the city's SMS bill). In the shared cache: every worker counts the same.
SIGNUPS_PER_CLIENT_PER_HOUR = 5
CONFIRMATIONS_PER_CONTACT_PER_DAY = 3


def _signups_throttled(request, contact: str) -> bool:
    client = count(f"alerts:signup:ip:{client_ip(request)}", 3600)
    target = count(f"alerts:signup:to:{contact.lower()}", 86400)
    return client > SIGNUPS_PER_CLIENT_PER_HOUR or target > CONFIRMATIONS_PER_CONTACT_PER_DAY


@never_cache
@require_http_methods(["GET", "POST"])
def subscribe_to(request, property_id):
    prop = get_object_or_404(Property.objects.prefetch_related("addresses"), pk=property_id)
    form = AnonymousSubscribeForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _signups_throttled(
            request, form.cleaned_data["email"] or form.cleaned_data["phone"]):
        form.add_error(None, _("Too many sign-ups from your connection or to this address: try "
                               "again later."))
        response = render(request, "alerts/public/subscribe_form.html", {
            "form": form, "property": prop, "address": address_of_property(prop)}, status=429)
        response["Retry-After"] = "3600"
        return response
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            subscriber = services.subscribe_without_account(
                property_id=prop.pk, email=data["email"], phone=data["phone"],
                topics=data["topics"], language=(get_language() or "fr")[:2])
            what = "email" if data["email"] else "phone"
            transaction.on_commit(lambda: send_confirmation.enqueue(subscriber.pk, what))
        return render(request, "alerts/public/subscribe_sent.html", {"what": what})
    return render(request, "alerts/public/subscribe_form.html", {
        "form": form, "property": prop, "address": address_of_property(prop)})


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, token):
    try:
        subscriber, what = services.read_confirmation(token)
    except ValidationError as error:
        return render(request, "alerts/public/confirm.html", {"error": error.messages[0]},
                      status=400)
    done = False
    if request.method == "POST":
        services.confirm(subscriber=subscriber, what=what)
        done = True
    return render(request, "alerts/public/confirm.html", {"done": done, "what": what})


@csrf_exempt  # the token in the address authenticates; RFC 8058's POST carries no CSRF token
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    subscriber = get_object_or_404(Subscriber, token=token)
    done = False
    if request.method == "POST":
        services.unsubscribe(subscriber=subscriber)
        done = True
    return render(request, "alerts/public/unsubscribe.html", {
        "done": done, "subscriber": subscriber,
        "active": subscriber.subscriptions.exists()})
