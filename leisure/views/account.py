"""The citizen's registration pages: putting household members in the basket from a group's
page, the basket (holds, fees, confirmation), and their registrations (waiting-list positions,
seats offered to accept or decline, cancellation until the deadline). Every read and write is
scoped to the signed-in citizen: another citizen's registration is a 404."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from citizens.models import HouseholdMember
from core.access_log import log_access
from core.models import AccessLog

from .. import selectors, services
from ..forms import BasketAddForm
from ..models import Registration

S = Registration.Status


def _log(request, action, record):
    log_access(request, subject=request.user, action=action, record=record)


@login_required
@never_cache
@require_POST
def basket_add(request, pk):
    members = HouseholdMember.objects.filter(user=request.user)
    form = BasketAddForm(request.POST, members=members)
    if not form.is_valid():
        for error in form.errors.get("members", []):
            messages.error(request, error)
        return redirect("leisure:group", pk=pk)
    try:
        added = services.add_to_basket(request.user, pk, list(form.cleaned_data["members"]),
                                       attested=form.cleaned_data["attested"])
    except services.Refused as refused:
        messages.error(request, refused.message)
        return redirect("leisure:group", pk=pk)
    _log(request, AccessLog.Action.CHANGE, "leisure_basket")
    names = ", ".join(str(r.member) for r in added)
    if all(r.held_until for r in added):
        messages.success(request, _("%(names)s: a seat is held for you until %(time)s. Confirm "
                                    "your basket to register.") % {
            "names": names, "time": selectors.local_time(added[0].held_until)})
    else:
        messages.success(request, _("%(names)s: added to your basket. The seats are decided "
                                    "when you confirm it, in the order baskets are "
                                    "confirmed.") % {"names": names})
    return redirect("leisure:basket")


@login_required
@never_cache
def basket(request, status=200):
    items = list(services.basket(request.user))
    _log(request, AccessLog.Action.VIEW, "leisure_basket")
    return render(request, "leisure/basket.html", selectors.basket_page(request.user, items),
                  status=status)


@login_required
@never_cache
@require_POST
def basket_remove(request, registration_id):
    services.remove_from_basket(request.user, registration_id)
    _log(request, AccessLog.Action.CHANGE, "leisure_basket")
    messages.success(request, _("Removed from your basket."))
    return redirect("leisure:basket")


@login_required
@never_cache
@require_POST
def basket_confirm(request):
    try:
        outcomes = services.confirm_basket(request.user)
    except services.Refused as refused:
        messages.error(request, refused.message)
        return basket(request, status=400)
    _log(request, AccessLog.Action.CHANGE, "leisure_registrations")
    for outcome in outcomes:
        registration = outcome.registration
        words = {"name": registration.member, "activity": registration.group.activity.title,
                 "code": registration.group.code}
        if outcome.status == S.REGISTERED:
            messages.success(request, _("%(name)s is registered in %(activity)s (%(code)s).")
                             % words)
        elif outcome.status == S.WAITING:
            messages.warning(request, _("%(activity)s (%(code)s) is full: %(name)s is number "
                                        "%(position)d on the waiting list.")
                             % {**words, "position": outcome.position})
        else:
            messages.error(request, _("%(activity)s (%(code)s) is full, and so is its waiting "
                                      "list: %(name)s is not registered.") % words)
    return redirect("leisure:registrations", permanent=False)


@login_required
@never_cache
def registrations(request):
    _log(request, AccessLog.Action.VIEW, "leisure_registrations")
    return render(request, "leisure/registrations.html",
                  selectors.registrations_page(request.user))


def _act(request, registration_id, action, done: str):
    if not Registration.objects.filter(pk=registration_id, user=request.user).exists():
        raise Http404
    try:
        action(request.user, registration_id)
    except services.Refused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, done)
    _log(request, AccessLog.Action.CHANGE, f"leisure_registration:{registration_id}")
    return redirect("leisure:registrations")


@login_required
@never_cache
@require_POST
def cancel(request, registration_id):
    return _act(request, registration_id,
                lambda user, pk: services.cancel(pk, user=user),
                _("The registration is cancelled."))


@login_required
@never_cache
@require_POST
def accept(request, registration_id):
    return _act(request, registration_id, services.accept_offer,
                _("The seat is yours: the registration is confirmed."))


@login_required
@never_cache
@require_POST
def decline(request, registration_id):
    return _act(request, registration_id, services.decline_offer,
                _("You declined the seat; it goes to the next person on the waiting list."))
