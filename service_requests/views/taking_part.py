"""Citizens take part in a request, as on FixMyStreet: an update (text, photos) from whoever
reported or follows it with their account, "still there" on one marked fixed in the last 30
days (it reopens), and following by e-mail without an account (a confirmed address, a
one-click way out in every message)."""
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect

from core.counters import count
from core.http import client_ip

from .. import services
from ..forms import FollowByEmailForm, UpdateForm
from ..models import Follower, ServiceRequest
from ..photos import process_photo
from ..uploads import MaxSizeUploadHandler

UPDATES_PER_HOUR = 20  # one citizen's updates, all requests together
FOLLOW_LINKS_PER_DAY = 3  # confirmation links to one address
FOLLOWS_PER_HOUR = 10  # sign-ups without an account from one connection


def _page_of(report, user) -> str:
    if report.reporter_id == user.pk:
        return reverse("service_requests:mine_detail", args=[report.public_id])
    return reverse("service_requests:public_detail", args=[report.pk])


@login_required
def update(request, pk):
    """The update form, for the reporter or a follower; anyone else gets a 404."""
    request.upload_handlers.insert(0, MaxSizeUploadHandler(request))
    return _update(request, pk)


@csrf_protect
def _update(request, pk):
    report = get_object_or_404(ServiceRequest.objects.select_related("category"), pk=pk,
                               confirmed=True)
    if not services.takes_part(report, request.user):
        raise Http404
    reopenable = services.may_reopen(report)
    form = UpdateForm(request.POST or None, request.FILES or None, reopenable=reopenable)
    status = 200
    if request.method == "POST":
        status = _save_update(request, report, form)
        if status == 302:
            return redirect(_page_of(report, request.user))
    return render(request, "service_requests/update.html", {
        "report": report, "form": form, "reopenable": reopenable,
        "open": report.is_open(), "back": _page_of(report, request.user),
        "reopen_days": services.REOPEN_DAYS}, status=status)


def _save_update(request, report, form) -> int:
    """The update saved (302), or the status of the form shown again with its errors."""
    if getattr(request, "upload_too_large", False):
        form.add_error("photos", _("The photos are too large: at most %(mb)d MB each.")
                       % {"mb": settings.GUICHET_PHOTO_MAX_BYTES // 1_000_000})
        return 400
    if not form.is_valid():
        return 400
    if count(f"request-updates:{request.user.pk}", 3600) > UPDATES_PER_HOUR:
        form.add_error(None, _("You sent many updates in the last hour. Try again later."))
        return 429
    try:
        photos = [process_photo(upload) for upload in form.cleaned_data["photos"]]
    except ValidationError as error:
        form.add_error("photos", error)
        return 400
    try:
        event = services.add_update(request=report, user=request.user,
                                    text=form.cleaned_data["text"],
                                    still_there=form.cleaned_data.get("still_there", False),
                                    photos=photos)
    except ValidationError as error:  # a dict goes to its fields
        form.add_error(None, error)
        return 400
    if event.kind == event.Kind.REOPENED:
        messages.success(request, _("Request #%(n)s is open again: the city sees why.")
                         % {"n": report.pk})
    else:
        messages.success(request, _("Your update was added to request #%(n)s.")
                         % {"n": report.pk})
    return 302


def follow_by_email(request, report):
    """The public page's "follow by e-mail" form, posted without an account."""
    form = FollowByEmailForm(request.POST)
    if not form.is_valid():
        return form
    email = form.cleaned_data["email"].lower()
    if (count(f"follow-links:{email}", 86400) > FOLLOW_LINKS_PER_DAY
            or count(f"follow-signups:{client_ip(request)}", 3600) > FOLLOWS_PER_HOUR):
        form.add_error(None, _("Too many requests to follow from this address or connection. "
                               "Try again tomorrow, or sign in."))
        return form
    services.follow_by_email(request=report, email=form.cleaned_data["email"],
                             language=get_language())
    messages.success(request, _("We sent a link to %(email)s: open it to follow request "
                                "#%(n)s.") % {"email": form.cleaned_data["email"],
                                              "n": report.pk})
    return None


def follow_confirm(request, token):
    follower = services.confirm_follow(token=token)
    if follower is None:
        return render(request, "service_requests/follow_done.html", {"follower": None},
                      status=404)
    return render(request, "service_requests/follow_done.html",
                  {"follower": follower, "confirmed": True})


def follow_stop(request, token):
    """GET shows a button (a link checker opening the link stops nothing); POST stops."""
    if request.method == "POST":
        services.stop_following(token=token)
        return render(request, "service_requests/follow_done.html", {"stopped": True})
    follower = (Follower.objects.filter(token=token, user=None)
                .select_related("request").first())
    if follower is None:
        return render(request, "service_requests/follow_done.html", {"follower": None},
                      status=404)
    return render(request, "service_requests/follow_done.html",
                  {"follower": follower, "ask_stop": True})
