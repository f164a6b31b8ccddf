"""Linking a property: the citizen's pages (request with the access code or ask a clerk, see and
remove one's own link) and the clerks' pages (decide pending requests, unlink, regenerate a
property's access code). Every view or change of a link is written to the access log."""
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.access_log import log_access
from core.auth import staff_required
from core.models import AccessLog
from properties.models import CivicAddress

from . import links
from .models import PropertyLink

CLERK_PAGE_SIZE = 50


def _with_address(queryset):
    return queryset.select_related("property", "user").prefetch_related(
        Prefetch("property__addresses", queryset=CivicAddress.objects.order_by("pk")))


def _log(request, link, action):
    log_access(request, subject=link.user, action=action, record=f"link:{link.pk}")


def _add_service_error(form, error: ValidationError, field=None):
    for message in error.messages:
        form.add_error(field, message)


# The citizen's pages

class LinkRequestForm(forms.Form):
    matricule = forms.CharField(
        label=gettext_lazy("Matricule"), max_length=40,
        help_text=gettext_lazy("The property's number on your tax bill, with or without "
                               "dashes, e.g. 8242-28-9033-0-000-0000."))
    code = forms.CharField(
        label=gettext_lazy("Access code"), max_length=20, required=False,
        help_text=gettext_lazy("Printed on your tax bill, e.g. ABCDE-23456. Not needed if "
                               "you ask a clerk."))
    role = forms.ChoiceField(label=gettext_lazy("You are"), choices=PropertyLink.Role.choices,
                             widget=forms.RadioSelect)


@login_required
@never_cache
def link_request(request):
    form = LinkRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with_clerk = request.POST.get("action") == "clerk"
        try:
            if with_clerk:
                link = links.request_clerk_approval(user=request.user,
                                                    matricule=data["matricule"],
                                                    role=data["role"])
            elif not data["code"].strip():
                raise ValidationError(_("Enter the access code printed on your tax bill, or "
                                        "ask a clerk."), code="code_required")
            else:
                link = links.request_link(user=request.user, matricule=data["matricule"],
                                          code=data["code"], role=data["role"])
        except ValidationError as error:
            _add_service_error(form, error, "code" if error.code == "code_required" else None)
        else:
            _log(request, link, AccessLog.Action.CHANGE)
            if with_clerk:
                messages.success(request, _("Your request was sent. A clerk will check it; "
                                            "bring your tax bill or a proof of residence to "
                                            "the town hall if asked."))
            else:
                messages.success(request, _("The property is linked to your account."))
            return redirect("citizens:link_detail", pk=link.pk)
    return render(request, "citizens/links/request.html", {"form": form})


def _own_link_or_404(request, pk):
    # By pk AND user: another citizen's link is a 404, not a 403 that would confirm it exists.
    return get_object_or_404(_with_address(PropertyLink.objects), pk=pk, user=request.user)


@login_required
def link_detail(request, pk):
    link = _own_link_or_404(request, pk)
    _log(request, link, AccessLog.Action.VIEW)
    return render(request, "citizens/links/detail.html", {
        "link": link, "address": next(iter(link.property.addresses.all()), None),
        "is_open": link.status in links.OPEN_STATUSES})


@login_required
@require_POST
def link_remove(request, pk):
    link = _own_link_or_404(request, pk)
    try:
        link = links.unlink(link=link, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        _log(request, link, AccessLog.Action.CHANGE)
        messages.success(request, _("The property is no longer linked to your account."))
    return redirect("citizens:link_detail", pk=link.pk)


# The clerks' pages

class MatriculeForm(forms.Form):
    matricule = forms.CharField(label=gettext_lazy("Matricule"), max_length=40)


@staff_required
def clerk_links(request):
    """Pending requests, oldest first; and the open links of one property, found by matricule,
    to unlink one."""
    pending = _with_address(PropertyLink.objects.filter(status=PropertyLink.Status.PENDING)
                            .order_by("requested_at"))
    page = Paginator(pending, CLERK_PAGE_SIZE).get_page(request.GET.get("page"))
    search = MatriculeForm(request.GET if "matricule" in request.GET else None)
    found, property_links = None, []
    if search.is_bound and search.is_valid():
        found = links.find_property(search.cleaned_data["matricule"])
        if found is None:
            search.add_error("matricule", _("No property has this matricule."))
        else:
            property_links = list(_with_address(PropertyLink.objects.filter(property=found)))
    for link in [*page, *property_links]:
        _log(request, link, AccessLog.Action.VIEW)
    return render(request, "citizens/links/clerk_list.html", {
        "page": page, "search": search, "found": found, "property_links": property_links})


class DecisionForm(forms.Form):
    action = forms.ChoiceField(choices=[("approve", "approve"), ("refuse", "refuse"),
                                        ("unlink", "unlink")], widget=forms.HiddenInput)
    reason = forms.CharField(
        label=gettext_lazy("Reason"), required=False, max_length=1000, widget=forms.Textarea(
            attrs={"rows": 3}),
        help_text=gettext_lazy("Required to refuse or to unlink. The citizen will read it."))


@staff_required
def clerk_link_decide(request, pk):
    link = get_object_or_404(_with_address(PropertyLink.objects), pk=pk)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        action, reason = form.cleaned_data["action"], form.cleaned_data["reason"]
        try:
            if action == "approve":
                link = links.approve_link(link=link, clerk=request.user)
                done = _("The link is approved.")
            elif action == "refuse":
                link = links.refuse_link(link=link, clerk=request.user, reason=reason)
                done = _("The request is refused.")
            else:
                link = links.unlink(link=link, by=request.user, reason=reason)
                done = _("The link is removed.")
        except ValidationError as error:
            _add_service_error(form, error, "reason" if error.code == "reason_required"
                               else None)
        else:
            _log(request, link, AccessLog.Action.CHANGE)
            messages.success(request, done)
            return redirect("clerks:links")
    _log(request, link, AccessLog.Action.VIEW)
    others = _with_address(PropertyLink.objects.filter(
        property=link.property, status__in=links.OPEN_STATUSES).exclude(pk=link.pk))
    others = list(others)
    for other in others:
        _log(request, other, AccessLog.Action.VIEW)
    return render(request, "citizens/links/clerk_decide.html", {
        "link": link, "form": form, "others": others,
        "address": next(iter(link.property.addresses.all()), None)})


@staff_required
@never_cache
def clerk_access_code(request):
    """Regenerate one property's access code (a lost bill, a sale): shown once, never again."""
    form = MatriculeForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        prop = links.find_property(form.cleaned_data["matricule"])
        if prop is None:
            form.add_error("matricule", _("No property has this matricule."))
        else:
            issued = {"property": prop, "code": links.issue_access_code(property=prop)}
            log_access(request, subject=None, action=AccessLog.Action.CHANGE,
                       record=f"access_code:{prop.pk}")
    return render(request, "citizens/links/clerk_access_code.html",
                  {"form": form, "issued": issued})
