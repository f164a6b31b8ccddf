"""The public's pages: report a problem (the form, its details step, the confirmation of an
e-mail, following a report) and the public map and list of reports. What anyone may see of the
reports: category, place, status, dates, public history and the photos staff approved; never
who reported, their e-mail or phone, nor internal notes. Reports waiting for their e-mail
confirmation are not shown."""
import datetime as dt
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from core.counters import count
from core.http import client_ip
from geo.geometry import transformed
from map_ui.config import map_base
from properties.place_names import describe as describe_place
from properties.place_names import label as place_label

from .. import selectors, services
from ..forms import DetailsForm, FollowByEmailForm, LocationForm
from ..locating import locate
from ..models import Category, ServiceRequest
from ..photos import process_photo
from ..questions import answer_labels
from ..uploads import MaxSizeUploadHandler
from . import taking_part


def _report_map_config():
    return {**map_base(), "reportsUrl": reverse("report-list")}


def report(request):
    """Step 1: the place and the category."""
    form = LocationForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return redirect(_details_url(form.cleaned_data))
    return render(request, "service_requests/report.html",
                  {"form": form, "map_config": _report_map_config()})


def _details_url(data):
    params = {"category": data["category"].code}
    if data.get("lon") is not None and data.get("lat") is not None:
        params.update(lon=f"{data['lon']:.7f}", lat=f"{data['lat']:.7f}")
    if data.get("address"):
        params["address"] = data["address"]
    return reverse("service_requests:report_details") + "?" + urlencode(params)


def _failures_key(ip) -> str:
    return f"anonymous-report-failures:{ip}"


def _anonymous_throttled(ip) -> bool:
    """The reports sent without an account from this address in the last hour, and the ones
    refused (a bad answer, a place outside the town...), count toward the hourly limit: a
    script cannot try the form again and again for free."""
    since = timezone.now() - dt.timedelta(hours=1)
    recent = ServiceRequest.objects.filter(reporter=None, submitter_ip=ip,
                                           submitted_at__gte=since).count()
    failed = cache.get(_failures_key(ip), 0)
    return recent + failed >= settings.GUICHET_ANONYMOUS_REPORTS_PER_HOUR


def _count_failed_report(request):
    """One more refused anonymous report from this address (kept an hour from the first)."""
    if request.method != "POST" or request.user.is_authenticated:
        return
    count(_failures_key(client_ip(request)), 3600)


@csrf_exempt  # checked below, once the upload handlers are in place
def report_details(request):
    """Step 2: the details. The size guard goes in before the body is read (a 200 MB upload
    is cut short, not written to disk)."""
    request.upload_handlers.insert(0, MaxSizeUploadHandler(request))
    return _report_details(request)


@csrf_protect
def _report_details(request):
    params = request.GET
    category = Category.objects.filter(code=params.get("category"), active=True).first()
    try:
        if category is None:
            raise ValidationError(_("Choose a category."), code="no_category")
        point, address = locate(params)
    except ValidationError as error:
        _count_failed_report(request)
        form = LocationForm(params)
        form.is_valid()  # so that errors can be added (and a bad category is shown)
        for message in error.messages:
            form.add_error(None, message)
        return render(request, "service_requests/report.html",
                      {"form": form, "map_config": _report_map_config()}, status=400)
    anonymous = not request.user.is_authenticated
    form = DetailsForm(request.POST or None, request.FILES or None, category=category,
                       anonymous=anonymous)
    if request.method == "POST":
        created = _submit(request, form, category, point, address)
        if created is not None:
            return created
        _count_failed_report(request)
    nearby = list(selectors.public_open_nearby(category=category, point=point)[:5])
    return render(request, "service_requests/report_details.html", {
        "form": form, "category": category, "nearby": nearby,
        "address": address or place_label(describe_place(point)),
        "point": transformed(point, 4326, clone=True), "anonymous": anonymous,
        "next": request.get_full_path(),
        "login_url": reverse("account_login") + "?" + urlencode({"next": request.get_full_path()}),
    }, status=400 if form.errors else 200)


def _submit(request, form, category, point, address):
    if getattr(request, "upload_too_large", False):
        form.add_error("photos", _("The photos are too large: at most %(mb)d MB each.")
                       % {"mb": settings.GUICHET_PHOTO_MAX_BYTES // 1_000_000})
        return None
    if not form.is_valid():
        return None
    anonymous = not request.user.is_authenticated
    ip = client_ip(request)
    if anonymous and _anonymous_throttled(ip):
        form.add_error(None, _("Too many reports were sent from your connection in the last "
                               "hour. Sign in, or try again later."))
        return None
    try:
        photos = [process_photo(upload) for upload in form.cleaned_data["photos"]]
    except ValidationError as error:
        form.add_error("photos", error)
        return None
    try:
        created = services.submit_request(
            category=category, point=point, description=form.cleaned_data["description"],
            answers=form.raw_answers(), user=None if anonymous else request.user,
            contact_email=form.cleaned_data.get("contact_email", ""), address=address,
            photos=photos, ip=ip)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            form.add_answer_errors(error.error_dict)
        else:
            form.add_error(None, error)
        return None
    if anonymous:
        return redirect("service_requests:report_sent", public_id=created.public_id)
    messages.success(request, _("Thank you. Your request #%(n)s was sent to the city.")
                     % {"n": created.pk})
    return redirect("service_requests:mine_detail", public_id=created.public_id)


def report_sent(request, public_id):
    """After an anonymous report: check your e-mail. (Shows nothing personal.)"""
    created = get_object_or_404(ServiceRequest, public_id=public_id)
    return render(request, "service_requests/report_sent.html", {"report": created})


def confirm(request, token):
    """The link of the confirmation e-mail: the visitor's report enters the queue."""
    confirmed = services.confirm_email(token=token)
    if confirmed is None:
        return render(request, "service_requests/confirm.html", {"report": None}, status=404)
    return render(request, "service_requests/confirm.html", {"report": confirmed})


@require_POST
def follow(request, pk):
    """"This is my problem too": needs an account (the citizen then hears of its progress)."""
    target = get_object_or_404(ServiceRequest, pk=pk, confirmed=True)
    if not request.user.is_authenticated:
        if "email" not in request.POST:
            return redirect_to_login(request.POST.get("next") or reverse(
                "service_requests:public_detail", args=[pk]))
        # Without an account: a confirmed e-mail address (views/taking_part.py).
        target = get_object_or_404(selectors.public_queryset(), pk=pk)
        if not target.is_open():
            raise Http404
        form = taking_part.follow_by_email(request, target)
        if form is None:
            return redirect("service_requests:public_detail", pk)
        return public_detail(request, pk, follow_form=form)
    if services.follow(request=target, user=request.user):
        messages.success(request, _("You now follow request #%(n)s: we will write to you when "
                                    "it moves.") % {"n": target.pk})
    else:
        messages.info(request, _("You already follow request #%(n)s.") % {"n": target.pk})
    return redirect("service_requests:mine")


PAGE_SIZE = 50


def location_map_config(report, point=None) -> dict:
    """The map of one request's place (`point`, by default its exact location; WGS 84,
    6 decimals: about 10 cm)."""
    point = transformed(point or report.location, 4326, clone=True)
    return {**map_base(), "point": [round(point.x, 6), round(point.y, 6)]}


def public_list(request):
    """The public map and list of reports, filtered by category and status (the same filters
    as the GeoJSON layer, /api/reports/)."""
    from ..api import ReportFilter

    data = request.GET.copy()
    if "status" not in data:
        data.setlist("status", ["open"])
    filtered = ReportFilter(data, queryset=selectors.public_queryset()
                            .order_by("-submitted_at", "-pk"))
    page = Paginator(filtered.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = data.copy()
    query.pop("page", None)
    form = filtered.form
    return render(request, "service_requests/public_list.html", {
        "filter": filtered, "page": page, "query": query.urlencode(),
        "status_groups": selectors.status_groups(),
        "map_config": {**map_base(), "reportsUrl": reverse("report-list"),
                       "statusGroups": selectors.status_groups(),
                       "filters": {"category": form["category"].value() or "",
                                   "status": form["status"].value() or []}}},
                  status=400 if form.errors else 200)


def public_detail(request, pk, follow_form=None):
    report = get_object_or_404(selectors.public_queryset().select_related("duplicate_of"), pk=pk)
    anonymous = not request.user.is_authenticated
    return render(request, "service_requests/public_detail.html", {
        "follow_form": follow_form or (FollowByEmailForm() if anonymous else None),
        "takes_part": not anonymous and services.takes_part(report, request.user),
        "reopenable": services.may_reopen(report),
        "report": report, "events": report.events.filter(public=True),
        "answers": answer_labels(report.category, report.answers),
        "photos": (report.photos.filter(approved=True)
                   if selectors.photos_are_public(report) else []),
        "where": report.shown_place_label(),
        "at_street": report.category.privacy == report.category.Privacy.STREET,
        "map_config": location_map_config(report, report.shown_location)},
        status=400 if follow_form is not None and follow_form.errors else 200)
