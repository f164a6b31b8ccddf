"""The citizen's own pages that join several domains: dashboard, access log, the tax account of
a verified property, the personal-data export and the account's deletion (Law 25)."""
import json

from django import forms
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from citizens.selectors import owner_link_or_404
from core.access_log import citizen_log, describe_records, log_access
from core.models import AccessLog
from core.personal_data import export as export_personal_data
from taxes.selectors import property_accounts

from ..selectors import dashboard as build_dashboard
from ..services import delete_account


@login_required
def dashboard(request):
    context = build_dashboard(request.user, session=request.session)
    log_access(request, subject=request.user, action=AccessLog.Action.VIEW, record="dashboard")
    return render(request, "portal/dashboard.html", context)


@login_required
def access_log(request):
    """One line per access, in plain words ("Your link to 12 Rue X"), never the stored keys."""
    page = Paginator(citizen_log(request.user), 50).get_page(request.GET.get("page"))
    words = describe_records((row["record"] for row in page), request.user)
    entries = [{**row, "what": words[row["record"]],
                "action_label": AccessLog.Action(row["action"]).label} for row in page]
    return render(request, "portal/access_log.html", {"page": page, "entries": entries})


@login_required
def export(request):
    log_access(request, subject=request.user, action=AccessLog.Action.EXPORT, record="account")
    data = {"exported_at": timezone.now().isoformat(), **export_personal_data(request.user)}
    response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=2),
                            content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="mes-donnees-guichet.json"'
    return response


class DeleteAccountForm(forms.Form):
    password = forms.CharField(label=gettext_lazy("Your password, to confirm"),
                               widget=forms.PasswordInput(attrs={"autocomplete":
                                                                 "current-password"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This is not your password."))
        return password


@login_required
def delete(request):
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        delete_account(user=user)
        # The new, anonymous session carries the news to the confirmation page.
        request.session[DELETED_FLAG] = True
        return redirect("portal:deleted")
    return render(request, "portal/delete.html", {"form": form})


DELETED_FLAG = "portal:account_deleted"


def deleted(request):
    """What the citizen sees once their account is gone: that it is, and what the city kept.
    Only right after a deletion, in that browser; anyone else is sent to the home page."""
    if not request.session.pop(DELETED_FLAG, False):
        return redirect("portal:home")
    return render(request, "portal/deleted.html")


@login_required
def tax_account(request, link_id):
    # Another citizen's link, or the citizen's own as an occupant (a tenant): 404.
    link = owner_link_or_404(request.user, link_id)
    today = timezone.localdate()
    accounts = property_accounts(link.property, today)
    log_access(request, subject=request.user, action=AccessLog.Action.VIEW,
               record=f"tax_account:{link.property_id}")
    return render(request, "portal/tax_account.html",
                  {"link": link, "property": link.property, "accounts": accounts,
                   "today": today})
