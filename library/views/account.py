"""The citizen's library pages: their cards (and their household's), linking one with its PIN,
a card's record (loans, holds, fines) and renewals, removing a card. Every read is scoped to
the signed-in citizen (another citizen's card is a 404) and written to the access log, which
says that a record was viewed, never what it holds."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from citizens.models import HouseholdMember
from core.access_log import log_access
from core.models import AccessLog

from .. import pins, renewals, resilience, services
from ..connectors import configured
from ..connectors.base import IlsUnavailable
from ..forms import LinkCardForm, PinForm
from ..selectors import card_or_404, cards_of, lines


def _log(request, card, action):
    log_access(request, subject=request.user, action=action, record=f"library_card:{card.pk}")


def _errors(form, error: ValidationError, field=None):
    for message in error.messages:
        form.add_error(field, message)


@login_required
@never_cache
def cards(request):
    mine = cards_of(request.user)
    log_access(request, subject=request.user, action=AccessLog.Action.VIEW,
               record="library_cards")
    return render(request, "library/cards.html", {
        "lines": lines(mine, request.session), "configured": configured()})


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def card_add(request):
    members = HouseholdMember.objects.filter(user=request.user)
    form = LinkCardForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            card, _record = services.link_card(user=request.user, barcode=data["barcode"],
                                               pin=data["pin"], member=form.member())
        except ValidationError as error:
            _errors(form, error, "barcode" if error.code == "already_linked" else None)
        else:
            pins.keep(request.session, card.pk, data["pin"])
            _log(request, card, AccessLog.Action.CHANGE)
            messages.success(request, _("The card ending in %(digits)s is linked to your "
                                        "account.") % {"digits": card.last_four})
            return redirect("library:record", card_id=card.pk)
    return render(request, "library/card_form.html", {"form": form, "configured": configured()},
                  status=400 if form.errors else 200)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def record(request, card_id):
    """The card's record. Without the PIN in this session, the page asks for it first."""
    card = card_or_404(request.user, card_id)
    pin = pins.get(request.session, card.pk)
    form = PinForm(request.POST or None) if pin is None or request.method == "POST" else None
    if request.method == "POST" and form.is_valid():
        try:
            services.check_pin(card=card, pin=form.cleaned_data["pin"])
        except ValidationError as error:
            _errors(form, error)
        else:
            pins.keep(request.session, card.pk, form.cleaned_data["pin"])
            return redirect("library:record", card_id=card.pk)
    found, unavailable = None, False
    if form is None:
        try:
            found = services.record(card=card, pin=pin)
        except IlsUnavailable:
            unavailable = True
        except services.PinRejected:
            pins.forget(request.session, card.pk)
            form = PinForm()
            form.add_error(None, _("The library's system no longer accepts this card's PIN. "
                                   "Type it again."))
    _log(request, card, AccessLog.Action.VIEW)
    return render(request, "library/record.html", {
        "card": card, "record": found, "form": form, "unavailable": unavailable},
        status=400 if form is not None and form.errors else 200)


@login_required
@require_POST
def renew(request, card_id):
    """Renew one loan (`item`) or all (`all`), then back to the record with the answers."""
    card = card_or_404(request.user, card_id)
    pin = pins.get(request.session, card.pk)
    if pin is None:
        messages.error(request, _("Type the card's PIN first."))
        return redirect("library:record", card_id=card.pk)
    try:
        current = resilience.cached_record(card.pk) or services.record(card=card, pin=pin)
    except (IlsUnavailable, services.PinRejected):
        current = None
    titles = {loan.item_id: loan.title for loan in current.loans} if current else {}
    item_ids = list(titles) if request.POST.get("all") else [request.POST.get("item", "")]
    item_ids = [item_id for item_id in item_ids if item_id]
    if not item_ids:
        messages.error(request, _("Nothing to renew."))
        return redirect("library:record", card_id=card.pk)
    try:
        results = services.renew(card=card, pin=pin, item_ids=item_ids)
    except IlsUnavailable:
        messages.error(request, _("The library's system does not answer. Please try again "
                                  "later."))
    else:
        for result in results:
            name = titles.get(result.item_id) or result.title or result.item_id
            text = _("%(title)s: %(answer)s") % {"title": name,
                                                   "answer": renewals.sentence(result)}
            (messages.success if result.ok else messages.warning)(request, text)
    _log(request, card, AccessLog.Action.CHANGE)
    return redirect("library:record", card_id=card.pk)


@login_required
@require_POST
def remove(request, card_id):
    card = card_or_404(request.user, card_id)
    digits = card.last_four
    _log(request, card, AccessLog.Action.DELETE)
    pins.forget(request.session, card.pk)
    services.unlink_card(card=card)
    messages.success(request, _("The card ending in %(digits)s is no longer linked to your "
                                "account.") % {"digits": digits})
    return redirect("library:cards")
