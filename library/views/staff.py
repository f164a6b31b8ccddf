"""The library desk (staff with the permission library.library_desk, and only them: another
clerk gets 403): a citizen's cards, found by their e-mail address, and a card's record as the
portal last read it (the short cache: the portal never holds the PIN a live call needs; the
desk has the library's own system for more). Every view is written to the citizen's access
log."""
from django.contrib.auth import get_user_model
from django.shortcuts import render

from core.access_log import log_access
from core.auth import staff_permission_required
from core.models import AccessLog

from .. import resilience
from ..selectors import cards_of, lines, staff_card_or_404

DESK = "library.library_desk"


@staff_permission_required(DESK)
def cards(request):
    email = (request.GET.get("courriel") or "").strip()
    citizen, found = None, []
    if email:
        citizen = get_user_model().objects.filter(email__iexact=email).first()
        if citizen is not None:
            found = lines(cards_of(citizen))
            log_access(request, subject=citizen, action=AccessLog.Action.VIEW,
                       record="library_cards")
    return render(request, "library/staff/cards.html",
                  {"email": email, "citizen": citizen, "lines": found})


@staff_permission_required(DESK)
def card(request, card_id):
    card = staff_card_or_404(card_id)
    log_access(request, subject=card.user, action=AccessLog.Action.VIEW,
               record=f"library_card:{card.pk}")
    return render(request, "library/staff/card.html",
                  {"card": card, "record": resilience.cached_record(card.pk)})
