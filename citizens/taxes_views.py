"""The citizen's tax account for one of their verified properties."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from core.access_log import log_access
from taxes.selectors import property_accounts

from .scoping import verified_link_or_404


@login_required
def tax_account(request, link_id):
    link = verified_link_or_404(request.user, link_id)  # another citizen's link: 404
    today = timezone.localdate()
    accounts = property_accounts(link.property, today)
    log_access(request, subject=request.user, action="view",
               record=f"tax_account:{link.property_id}")
    return render(request, "citizens/tax_account.html",
                  {"link": link, "property": link.property, "accounts": accounts,
                   "today": today})
