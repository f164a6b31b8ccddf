"""The signed-in citizen's alert subscriptions: per linked property (and any other address,
e.g. a parent's house), topics and channels; preferences (mobile number confirmed by a link,
language, quiet hours, digest); the browsers turned on for notifications (Web Push, when the
city set its VAPID keys). Every read is scoped to the citizen's own subscriber (someone else's
subscription or browser is a 404) and every view or change is written to the access log."""
import json
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from citizens.selectors import verified_links
from core.access_log import log_access
from core.models import AccessLog
from properties.models import Property
from properties.selectors import find_properties

from .. import services
from ..forms import AddressSearchForm, PreferencesForm, SubscriptionForm
from ..models import PushEndpoint, Subscription
from ..notifications import send_confirmation
from ..selectors import address_of_property, push_configured


def _log(request, action, record):
    log_access(request, subject=request.user, action=action, record=record)


@login_required
@never_cache
def subscriptions(request):
    subscriber = services.subscriber_for(request.user)
    mine = {s.property_id: s for s in subscriber.subscriptions.select_related("property")
            .prefetch_related("topics", "property__addresses")}
    linked = []
    for link in verified_links(request.user).prefetch_related("property__addresses"):
        linked.append({"property": link.property, "address": address_of_property(link.property),
                       "subscription": mine.pop(link.property_id, None)})
    others = [{"property": s.property, "address": address_of_property(s.property),
               "subscription": s} for s in mine.values()]
    search = AddressSearchForm(request.GET or None)
    found = find_properties(search.cleaned_data["q"]) if search.is_valid() else []
    _log(request, AccessLog.Action.VIEW, "alerts:subscriptions")
    push = push_configured()
    return render(request, "alerts/account/subscriptions.html", {
        "subscriber": subscriber, "linked": linked, "others": others, "search": search,
        "found": found, "push": push,
        "vapid_public_key": settings.GUICHET_VAPID_PUBLIC_KEY if push else "",
        "browsers": [{"pk": b.pk, "host": urlsplit(b.endpoint).hostname,
                      "created_at": b.created_at}
                     for b in subscriber.push_endpoints.order_by("pk")] if push else []})


def _save(request, form, subscriber, property_id, record):
    subscription = services.save_subscription(
        subscriber=subscriber, property_id=property_id, topics=form.cleaned_data["topics"],
        channels=form.cleaned_data["channels"])
    _log(request, AccessLog.Action.CHANGE, f"alerts:subscription:{subscription.pk}")
    messages.success(request, _("Your alert subscription was saved."))
    return redirect("alerts:mine")


@login_required
@require_http_methods(["GET", "POST"])
def subscription_add(request, property_id):
    prop = get_object_or_404(Property.objects.prefetch_related("addresses"), pk=property_id)
    subscriber = services.subscriber_for(request.user)
    existing = subscriber.subscriptions.filter(property=prop).first()
    if existing:
        return redirect("alerts:subscription_edit", pk=existing.pk)
    form = SubscriptionForm(request.POST or None, subscriber=subscriber,
                            initial={"channels": [services.first_channel(subscriber)]})
    if request.method == "POST" and form.is_valid():
        return _save(request, form, subscriber, prop.pk, "new")
    return render(request, "alerts/account/subscription_form.html", {
        "form": form, "property": prop, "address": address_of_property(prop),
        "subscription": None})


def _own_subscription_or_404(request, pk) -> Subscription:
    # By pk AND the citizen's own subscriber: another's subscription is a 404.
    return get_object_or_404(Subscription.objects.select_related("property", "subscriber")
                             .prefetch_related("property__addresses"),
                             pk=pk, subscriber__user=request.user)


@login_required
@require_http_methods(["GET", "POST"])
def subscription_edit(request, pk):
    subscription = _own_subscription_or_404(request, pk)
    form = SubscriptionForm(request.POST or None, subscriber=subscription.subscriber, initial={
        "channels": subscription.channels, "topics": list(subscription.topics.all())})
    if request.method == "POST" and form.is_valid():
        return _save(request, form, subscription.subscriber, subscription.property_id, pk)
    _log(request, AccessLog.Action.VIEW, f"alerts:subscription:{pk}")
    return render(request, "alerts/account/subscription_form.html", {
        "form": form, "property": subscription.property,
        "address": address_of_property(subscription.property), "subscription": subscription})


@login_required
@require_POST
def subscription_remove(request, pk):
    subscription = _own_subscription_or_404(request, pk)
    services.remove_subscription(subscription=subscription)
    _log(request, AccessLog.Action.DELETE, f"alerts:subscription:{pk}")
    messages.success(request, _("You will no longer receive alerts for this address."))
    return redirect("alerts:mine")


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def preferences(request):
    subscriber = services.subscriber_for(request.user)
    form = PreferencesForm(request.POST or None, instance=subscriber)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            changed = services.save_preferences(
                subscriber=subscriber, phone=data["phone"], language=data["language"],
                quiet_from=data["quiet_from"], quiet_to=data["quiet_to"], digest=data["digest"])
            if changed:
                transaction.on_commit(lambda: send_confirmation.enqueue(subscriber.pk, "phone"))
        _log(request, AccessLog.Action.CHANGE, "alerts:preferences")
        if changed:
            messages.success(request, _("A link was sent to your mobile number: follow it to "
                                        "receive text messages."))
        else:
            messages.success(request, _("The changes were saved."))
        return redirect("alerts:mine")
    _log(request, AccessLog.Action.VIEW, "alerts:preferences")
    return render(request, "alerts/account/preferences.html", {"form": form,
                                                               "subscriber": subscriber})


# Browsers (Web Push subscriptions)

PUSH_BODY_MAX = 4096  # a PushSubscription's JSON is well under 2 kB


@login_required
@require_POST
def push_subscribe(request):
    """The browser's PushSubscription (its JSON: endpoint, keys.p256dh, keys.auth) posted by
    alerts/push.js: the citizen's browser turned on, or its keys renewed. 201 with the
    browser's id; 400 with a message in the citizen's language when it is not valid."""
    if not push_configured():
        raise Http404
    try:
        if len(request.body) > PUSH_BODY_MAX:
            raise ValueError
        data = json.loads(request.body)
        keys = data.get("keys") or {}
        endpoint, p256dh, auth = data.get("endpoint"), keys.get("p256dh"), keys.get("auth")
    except (ValueError, AttributeError):
        return JsonResponse({"error": _("This browser's subscription is not valid.")},
                            status=400)
    subscriber = services.subscriber_for(request.user)
    try:
        browser = services.save_push_endpoint(subscriber=subscriber, endpoint=endpoint,
                                              p256dh=p256dh, auth=auth)
    except ValidationError as error:
        return JsonResponse({"error": " ".join(error.messages)}, status=400)
    _log(request, AccessLog.Action.CHANGE, f"alerts:browser:{browser.pk}")
    return JsonResponse({"id": browser.pk}, status=201)


@login_required
@require_POST
def push_remove(request, pk):
    # By pk AND the citizen's own subscriber: another's browser is a 404.
    browser = get_object_or_404(PushEndpoint, pk=pk, subscriber__user=request.user)
    services.remove_push_endpoint(browser=browser)
    _log(request, AccessLog.Action.DELETE, f"alerts:browser:{pk}")
    messages.success(request, _("This browser will no longer show the alerts."))
    return redirect("alerts:mine")
