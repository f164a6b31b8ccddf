"""The citizen's household: list, add, edit, delete. Every read is scoped to the signed-in
citizen (pk AND user: someone else's member is a 404) and logged (Law 25)."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.access_log import log_access
from core.models import AccessLog

from .forms import HouseholdMemberForm
from .models import HouseholdMember


def _member_or_404(request, pk) -> HouseholdMember:
    return get_object_or_404(HouseholdMember, pk=pk, user=request.user)


@login_required
def household(request):
    members = list(HouseholdMember.objects.filter(user=request.user))
    log_access(request, subject=request.user, action=AccessLog.Action.VIEW, record="household:all")
    return render(request, "citizens/household.html", {"members": members})


@login_required
@require_http_methods(["GET", "POST"])
def household_add(request):
    form = HouseholdMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        member = form.save(commit=False)
        member.user = request.user
        member.save()
        log_access(request, subject=request.user, action=AccessLog.Action.CHANGE,
                   record=f"household:{member.pk}")
        messages.success(request, _("%(name)s was added to your household.") % {"name": member})
        return redirect("citizens:household")
    return render(request, "citizens/household_form.html", {"form": form, "member": None})


@login_required
@require_http_methods(["GET", "POST"])
def household_edit(request, pk):
    member = _member_or_404(request, pk)
    form = HouseholdMemberForm(request.POST or None, instance=member)
    if request.method == "POST" and form.is_valid():
        form.save()
        log_access(request, subject=request.user, action=AccessLog.Action.CHANGE,
                   record=f"household:{member.pk}")
        messages.success(request, _("The changes were saved."))
        return redirect("citizens:household")
    log_access(request, subject=request.user, action=AccessLog.Action.VIEW,
               record=f"household:{member.pk}")
    return render(request, "citizens/household_form.html", {"form": form, "member": member})


@login_required
@require_http_methods(["GET", "POST"])
def household_delete(request, pk):
    member = _member_or_404(request, pk)
    if request.method == "POST":
        record = f"household:{member.pk}"
        name = str(member)
        member.delete()
        log_access(request, subject=request.user, action=AccessLog.Action.DELETE, record=record)
        messages.success(request, _("%(name)s was removed from your household.") % {"name": name})
        return redirect("citizens:household")
    log_access(request, subject=request.user, action=AccessLog.Action.VIEW,
               record=f"household:{member.pk}")
    return render(request, "citizens/household_confirm_delete.html", {"member": member})
