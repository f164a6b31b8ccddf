"""A clerk logs a request received by phone, at the counter or by e-mail: find the citizen (by
name, e-mail or the address of a property they are linked to) or take the caller's contact
details, choose the category, the place (address or map) and answer its questions. The request
then appears in the citizen's "my requests" like the ones made online."""
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from citizens.models import PropertyLink
from core.access_log import log_access
from core.auth import staff_required
from core.models import AccessLog
from properties.search import find_properties
from properties.views import map_base

from . import services
from .forms import DetailsForm
from .locating import locate
from .models import Category
from .staff_forms import CitizenSearchForm, IntakeForm

NO_ACCOUNT = "none"
NEARBY_RADIUS_M = 100
MAX_RESULTS = 20


def find_citizens(text: str, limit: int = MAX_RESULTS) -> list:
    """Active citizens whose e-mail or name matches, and those with a verified link to a
    property at the address typed."""
    users = get_user_model().objects.filter(is_active=True, is_staff=False)
    text = text.strip()
    by_name = Q()
    for word in text.split():
        by_name &= Q(first_name__unaccent__icontains=word) | Q(last_name__unaccent__icontains=word)
    matched = Q(email__icontains=text) | by_name
    properties = [m["property_id"] for m in find_properties(text, limit=5)]
    if properties:
        matched |= Q(property_links__property_id__in=properties,
                     property_links__status=PropertyLink.Status.VERIFIED)
    return list(users.filter(matched).distinct().order_by("last_name", "first_name", "email")
                [:limit])


def _citizen(value):
    if not value or value == NO_ACCOUNT:
        return None
    return get_user_model().objects.filter(pk=value if value.isdigit() else None,
                                           is_active=True).first()


def _home_address(citizen) -> str:
    link = (PropertyLink.objects.filter(user=citizen, status=PropertyLink.Status.VERIFIED)
            .select_related("property").prefetch_related("property__addresses").first())
    first = next(iter(link.property.addresses.all()), None) if link else None
    return first.label if first else ""


@staff_required
def intake(request):
    chosen = request.GET.get("citizen", "")
    citizen = _citizen(chosen)
    if chosen and chosen != NO_ACCOUNT and citizen is None:
        messages.error(request, _("This citizen was not found."))
        return redirect("requests_staff:intake")
    if not chosen:
        return _search(request)
    if citizen is not None:
        log_access(request, subject=citizen, action=AccessLog.Action.VIEW,
                   record=f"user:{citizen.pk}")
    category = Category.objects.filter(code=request.GET.get("category"), active=True).first()
    home = _home_address(citizen) if citizen else ""
    context = {"citizen": citizen, "chosen": chosen, "category": category,
               "categories": Category.objects.filter(active=True),
               "nearby": _open_nearby(request.POST.get("address") or home),
               "nearby_radius": NEARBY_RADIUS_M}
    if category is None:
        return render(request, "service_requests/staff/intake.html", context)
    intake_form = IntakeForm(request.POST or None, citizen=citizen, initial={"address": home})
    details = DetailsForm(request.POST or None, category=category, anonymous=False)
    del details.fields["photos"]  # a photo sent by e-mail is attached by the citizen online
    if request.method == "POST" and intake_form.is_valid() & details.is_valid():
        created = _submit(request, intake_form, details, category, citizen)
        if created is not None:
            messages.success(request, _("Request #%(n)s is logged.") % {"n": created.pk})
            return redirect("requests_staff:detail", pk=created.pk)
    return render(request, "service_requests/staff/intake.html", {
        **context, "form": intake_form, "details": details, "map_config": map_base()},
        status=400 if request.method == "POST" else 200)


def _open_nearby(address: str) -> list:
    """Open requests of any category near the caller's place, nearest first: the caller may be
    reporting one of them (the clerk opens it and adds a note rather than a duplicate)."""
    if not address:
        return []
    try:
        point, _label = locate({"address": address})
    except ValidationError:
        return []
    return list(services.open_nearby(category=None, point=point,
                                     radius_m=NEARBY_RADIUS_M)[:20])


def _search(request):
    form = CitizenSearchForm(request.GET if "who" in request.GET else None)
    found = None
    if form.is_bound and form.is_valid():
        found = find_citizens(form.cleaned_data["who"])
        for user in found:
            log_access(request, subject=user, action=AccessLog.Action.VIEW,
                       record=f"user:{user.pk}")
    return render(request, "service_requests/staff/intake_search.html",
                  {"form": form, "found": found, "no_account": NO_ACCOUNT})


def _submit(request, intake_form, details, category, citizen):
    data = intake_form.cleaned_data
    try:
        point, address = locate(data)
        if citizen is None and not (data["contact_name"] or data["contact_phone"]
                                    or data["contact_email"]):
            raise ValidationError(_("Give the caller's name, phone or e-mail, so the city can "
                                    "reach them."), code="no_contact")
        created = services.submit_request(
            category=category, point=point, description=details.cleaned_data["description"],
            answers=details.raw_answers(), user=citizen, channel=data["channel"],
            contact_name=data.get("contact_name", ""), contact_phone=data["contact_phone"],
            contact_email=data.get("contact_email", ""), address=address, clerk=request.user)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            details.add_answer_errors(error.error_dict)
        else:
            intake_form.add_error(None, error)
        return None
    log_access(request, subject=citizen, action=AccessLog.Action.CHANGE,
               record=f"request:{created.pk}")
    return created
