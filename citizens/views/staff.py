"""Staff pages for property links (under "personnel/liens/"): pending requests, a property's
links (approve, refuse, unlink with a reason), a new access code. Every view or change is written
to the access log."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from core.access_log import log_access
from core.auth import staff_required
from core.models import AccessLog

from .. import services
from ..forms import DecisionForm, MatriculeForm
from ..models import PropertyLink
from ..selectors import targeted_properties, with_address
from .account import add_service_error, log_link

PAGE_SIZE = 50


@staff_required
def links(request):
    """Pending requests, oldest first; and the open links of one property, found by matricule,
    to unlink one."""
    pending = with_address(PropertyLink.objects.filter(status=PropertyLink.Status.PENDING)
                            .order_by("requested_at"))
    page = Paginator(pending, PAGE_SIZE).get_page(request.GET.get("page"))
    search = MatriculeForm(request.GET if "matricule" in request.GET else None)
    found, property_links = None, []
    if search.is_bound and search.is_valid():
        found = services.find_property(search.cleaned_data["matricule"])
        if found is None:
            search.add_error("matricule", _("No property has this matricule."))
        else:
            property_links = list(with_address(PropertyLink.objects.filter(property=found)))
    for link in [*page, *property_links]:
        log_link(request, link, AccessLog.Action.VIEW)
    return render(request, "citizens/staff/links.html", {
        "page": page, "search": search, "found": found, "property_links": property_links,
        "targeted": targeted_properties()})


@staff_required
def link_decide(request, pk):
    link = get_object_or_404(with_address(PropertyLink.objects), pk=pk)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        action, reason = form.cleaned_data["action"], form.cleaned_data["reason"]
        try:
            if action == "approve":
                link = services.approve_link(link=link, clerk=request.user)
                done = _("The link is approved.")
            elif action == "refuse":
                link = services.refuse_link(link=link, clerk=request.user, reason=reason)
                done = _("The request is refused.")
            else:
                link = services.unlink(link=link, by=request.user, reason=reason)
                done = _("The link is removed.")
        except ValidationError as error:
            add_service_error(form, error, "reason" if error.code == "reason_required"
                               else None)
        else:
            log_link(request, link, AccessLog.Action.CHANGE)
            messages.success(request, done)
            return redirect("citizens_staff:links")
    log_link(request, link, AccessLog.Action.VIEW)
    others = with_address(PropertyLink.objects.filter(
        property=link.property, status__in=services.OPEN_STATUSES).exclude(pk=link.pk))
    others = list(others)
    for other in others:
        log_link(request, other, AccessLog.Action.VIEW)
    return render(request, "citizens/staff/link_decide.html", {
        "link": link, "form": form, "others": others,
        "address": next(iter(link.property.addresses.all()), None)})


@staff_required
@never_cache
def access_code(request):
    """Regenerate one property's access code (a lost bill, a sale): shown once, never again."""
    form = MatriculeForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        prop = services.find_property(form.cleaned_data["matricule"])
        if prop is None:
            form.add_error("matricule", _("No property has this matricule."))
        else:
            issued = {"property": prop, "code": services.issue_access_code(property=prop)}
            log_access(request, subject=None, action=AccessLog.Action.CHANGE,
                       record=f"access_code:{prop.pk}")
    return render(request, "citizens/staff/access_code.html",
                  {"form": form, "issued": issued})
