"""The citizen's own pages of this app: the household (list, add, edit, delete) and the links to
properties (request with the access code or ask a clerk, see and remove one's own link). Every
read is scoped to the signed-in citizen (pk AND user: someone else's is a 404) and every view or
change is written to the access log (Law 25)."""
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from core.access_log import log_access
from core.models import AccessLog

from .. import services
from ..forms import HouseholdMemberForm, LinkRequestForm, ProfileForm
from ..models import HouseholdMember, PropertyLink
from ..selectors import masked_email, occupants_of, profile_of, sees_taxes, with_address


def log_link(request, link, action):
    log_access(request, subject=link.user, action=action, record=f"link:{link.pk}")


def add_service_error(form, error: ValidationError, field=None):
    for message in error.messages:
        form.add_error(field, message)


# The profile

@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    """Name, telephone, preferred language and channel (issue 14): what a clerk needs to call
    back, and how the city writes first."""
    stored = profile_of(request.user)
    initial = {"first_name": request.user.first_name, "last_name": request.user.last_name,
               "phone": stored.phone, "language": stored.language, "channel": stored.channel}
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.save_profile(user=request.user, **form.cleaned_data)
        log_access(request, subject=request.user, action=AccessLog.Action.CHANGE,
                   record="profile")
        messages.success(request, _("Your profile was saved."))
        return redirect("citizens:profile")
    return render(request, "citizens/profile.html", {"form": form},
                  status=400 if form.errors else 200)


# The household

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


# Links to properties

@login_required
@never_cache
def link_request(request):
    form = LinkRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with_clerk = request.POST.get("action") == "clerk"
        try:
            if with_clerk:
                link = services.request_clerk_approval(user=request.user,
                                                    matricule=data["matricule"],
                                                    role=data["role"])
            elif not data["code"].strip():
                raise ValidationError(_("Enter the access code printed on your tax bill, or "
                                        "ask a clerk."), code="code_required")
            else:
                link = services.request_link(user=request.user, matricule=data["matricule"],
                                          code=data["code"], role=data["role"])
        except ValidationError as error:
            add_service_error(form, error, "code" if error.code == "code_required" else None)
        else:
            log_link(request, link, AccessLog.Action.CHANGE)
            if with_clerk:
                messages.success(request, _("Your request was sent. A clerk will check it; "
                                            "bring your tax bill or a proof of residence to "
                                            "the town hall if asked."))
            else:
                messages.success(request, _("The property is linked to your account."))
            return redirect("citizens:link_detail", pk=link.pk)
    return render(request, "citizens/link_request.html", {"form": form})


def _own_link_or_404(request, pk):
    # By pk AND user: another citizen's link is a 404, not a 403 that would confirm it exists.
    return get_object_or_404(with_address(PropertyLink.objects), pk=pk, user=request.user)


@login_required
def link_detail(request, pk):
    link = _own_link_or_404(request, pk)
    log_link(request, link, AccessLog.Action.VIEW)
    return render(request, "citizens/link_detail.html", {
        "link": link, "address": next(iter(link.property.addresses.all()), None),
        "is_open": link.status in services.OPEN_STATUSES, "sees_taxes": sees_taxes(link),
        "occupants": [(o, masked_email(o.user.email)) for o in occupants_of(link)]})


@login_required
@require_POST
def tax_access(request, pk):
    """The owner shows the tax account to an occupant of the property, or stops showing it."""
    link = _own_link_or_404(request, pk)
    granted = request.POST.get("grant") == "1"
    try:
        occupant_id = uuid.UUID(request.POST.get("occupant", ""))
    except ValueError:
        raise Http404 from None
    try:
        occupant = services.set_tax_access(owner_link=link, occupant_link_id=occupant_id,
                                           granted=granted)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        log_link(request, occupant, AccessLog.Action.CHANGE)
        messages.success(request, _("The tax account is now shown to this person.") if granted
                         else _("The tax account is no longer shown to this person."))
    return redirect("citizens:link_detail", pk=link.pk)


@login_required
@require_POST
def link_remove(request, pk):
    link = _own_link_or_404(request, pk)
    try:
        link = services.unlink(link=link, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        log_link(request, link, AccessLog.Action.CHANGE)
        messages.success(request, _("The property is no longer linked to your account."))
    return redirect("citizens:link_detail", pk=link.pk)
