"""The citizen's own pages: dashboard, access log, data export, account deletion."""
import json

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.access_log import log_access
from core.models import AccessLog

from .dashboard import dashboard as build_dashboard
from .privacy import delete_account, export_personal_data


@login_required
def dashboard(request):
    context = build_dashboard(request.user)
    log_access(request, subject=request.user, action=AccessLog.Action.VIEW, record="dashboard")
    return render(request, "citizens/dashboard.html", context)


@login_required
def access_log(request):
    entries = AccessLog.objects.filter(subject=request.user).select_related("actor")
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "citizens/access_log.html", {"page": page})


@login_required
def export(request):
    log_access(request, subject=request.user, action=AccessLog.Action.EXPORT, record="account")
    data = export_personal_data(request.user)
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
        messages.success(request, _("Your account and your personal data were deleted."))
        return redirect("home")
    return render(request, "citizens/delete.html", {"form": form})
