"""The leisure desk (issue 15; staff with the permission leisure.leisure_desk, and only them:
another clerk gets 403, like a citizen): a season's groups with their counts; a group's lists
(registered, offered, waiting in order) with each participant's age, contact and fee; its
printable attendance sheet; and what a clerk does for a citizen: register one of their household
at the counter or by phone, move a registration to another group, cancel it, cancel a group
(everyone in it told: leisure.notifications).

Every page that shows a citizen's data is written to their access log; every change too. The
writes are leisure.services' (a refusal says why, and nothing is saved)."""
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core.access_log import log_access
from core.auth import staff_permission_required
from core.models import AccessLog

from .. import rules, selectors, services
from ..forms import AccountSearchForm, ClerkRegistrationForm, MoveForm
from ..models import Group, Registration
from ..recurrence import sessions

DESK = "leisure.leisure_desk"
S = Registration.Status


def _group_or_404(group_id: int) -> Group:
    try:
        return selectors.desk_group(group_id)
    except Group.DoesNotExist:
        raise Http404 from None


def _log(request, registrations, action, record: str) -> None:
    """One line in each citizen's access log (a household registered twice is one line)."""
    for user in {r.user for r in registrations if r.user_id}:
        log_access(request, subject=user, action=action, record=record)


@dataclass
class Line:
    """A registration as the desk's lists show it."""

    registration: Registration
    age: int | None
    email: str
    phone: str
    position: int | None = None


def _lines(group: Group, registrations) -> list[Line]:
    lines, position = [], 0
    for r in registrations:
        member, user = r.member, r.user
        age = (rules.age_on(member.birth_date, group.age_on)
               if member is not None and member.birth_date else None)
        try:
            phone = user.profile.phone if user is not None else ""
        except ObjectDoesNotExist:  # no profile
            phone = ""
        if r.status == S.WAITING:
            position += 1
        lines.append(Line(r, age, user.email if user is not None else "", phone,
                          position if r.status == S.WAITING else None))
    return lines


@staff_permission_required(DESK)
def groups(request):
    """A season's groups (the current one unless ?saison=), filtered by ?q=: an activity's or
    group's code, or words of a title."""
    seasons = list(selectors.seasons())
    code = (request.GET.get("saison") or "").strip()
    if code:
        season = next((s for s in seasons if s.code == code), None)
        if season is None:
            raise Http404
    else:
        season = selectors.current_season(timezone.localdate())
    text = " ".join((request.GET.get("q") or "").split())[:selectors.MAX_DESK_TEXT]
    return render(request, "leisure/staff/groups.html", {
        "seasons": seasons, "season": season, "text": text,
        "groups": selectors.desk_groups(season, text)})


@never_cache
@staff_permission_required(DESK)
def group(request, group_id: int):
    group = _group_or_404(group_id)
    registered = selectors.desk_registrations(group, [S.REGISTERED])
    offered = selectors.desk_registrations(group, [S.OFFERED])
    waiting = selectors.desk_registrations(group, [S.WAITING])
    _log(request, [*registered, *offered, *waiting], AccessLog.Action.VIEW,
         f"leisure_group:{group.pk}")
    return render(request, "leisure/staff/group.html", {
        "group": group, "season": group.season,
        "registered": _lines(group, registered), "offered": _lines(group, offered),
        "waiting": _lines(group, waiting)})


@never_cache
@staff_permission_required(DESK)
def attendance(request, group_id: int):
    """One row per registered participant, one column per session (every slot's, skipped
    dates left out); printed without the site's header and footer."""
    group = _group_or_404(group_id)
    registered = selectors.desk_registrations(group, [S.REGISTERED])
    _log(request, registered, AccessLog.Action.VIEW, f"leisure_group:{group.pk}")
    lines = sorted(_lines(group, registered),
                   key=lambda line: str(line.registration.participant).casefold())
    return render(request, "leisure/staff/attendance.html", {
        "group": group, "lines": lines, "sessions": sessions(group.slots.all())})


def _account(email: str):
    return get_user_model().objects.filter(email__iexact=email, is_active=True).first()


@never_cache
@staff_permission_required(DESK)
@require_http_methods(["GET", "POST"])
def register(request, group_id: int):
    """Registers a member of a citizen's household (their account found by e-mail) in the
    group, at the counter or by phone: a seat, else the waiting list (its position)."""
    group = _group_or_404(group_id)
    posted = request.method == "POST"
    data = request.POST if posted else request.GET
    search = AccountSearchForm(data if "courriel" in data else None)
    account = None
    if search.is_bound and search.is_valid():
        account = _account(search.cleaned_data["courriel"])
        if account is None:
            search.add_error("courriel", _("No account has this e-mail address."))
    form = (ClerkRegistrationForm(request.POST if posted else None, account=account)
            if account is not None else None)
    status = 400 if posted else 200  # a POST that does not redirect was refused
    if posted and form is not None and form.is_valid():
        member = form.cleaned_data["member"]
        try:
            outcome = services.register_for(request.user, member, group.pk,
                                            channel=form.cleaned_data["channel"])
        except services.Refused as refused:
            form.add_error(None, refused.message)
        else:
            log_access(request, subject=account, action=AccessLog.Action.CHANGE,
                       record=f"leisure_group:{group.pk}")
            messages.success(request, _outcome_message(outcome, member, group))
            return redirect("leisure_staff:group", group_id=group.pk)
    if account is not None:
        log_access(request, subject=account, action=AccessLog.Action.VIEW,
                   record="household:all")
    return render(request, "leisure/staff/register.html", {
        "group": group, "search": search, "account": account, "form": form}, status=status)


def _outcome_message(outcome, member, group) -> str:
    names = {"name": member, "activity": group.activity.title, "code": group.code}
    if outcome.status == S.REGISTERED:
        return _("%(name)s is registered in %(activity)s (%(code)s).") % names
    return _("%(name)s is on the waiting list of %(activity)s (%(code)s), in position "
             "%(position)d.") % {**names, "position": outcome.position}


def _active_or_404(registration_id) -> Registration:
    return get_object_or_404(
        Registration.objects.select_related("group__activity", "group__season", "member",
                                            "user"),
        pk=registration_id, status__in=Registration.CONFIRMED)


@never_cache
@staff_permission_required(DESK)
@require_http_methods(["GET", "POST"])
def move(request, registration_id):
    """Moves a registration to another group of the same season (a seat there, else its
    waiting list); its seat here goes to this group's waiting list."""
    registration = _active_or_404(registration_id)
    source = registration.group
    form = MoveForm(request.POST if request.method == "POST" else None,
                    registration=registration)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            target = form.cleaned_data["group"]
            try:
                outcome = services.move(request.user, registration.pk, target.pk)
            except services.Refused as refused:
                form.add_error(None, refused.message)
            else:
                _log(request, [registration], AccessLog.Action.CHANGE,
                     f"leisure_group:{target.pk}")
                messages.success(request, _outcome_message(
                    outcome, registration.participant, target))
                return redirect("leisure_staff:group", group_id=source.pk)
        status = 400
    _log(request, [registration], AccessLog.Action.VIEW, f"leisure_group:{source.pk}")
    return render(request, "leisure/staff/move.html", {
        "registration": registration, "group": source, "form": form}, status=status)


@never_cache
@staff_permission_required(DESK)
@require_http_methods(["GET", "POST"])
def cancel(request, registration_id):
    """Cancels a registration (a confirmation first); a freed seat goes to the waiting list."""
    registration = _active_or_404(registration_id)
    group = registration.group
    if request.method == "POST":
        try:
            services.cancel(registration.pk, clerk=request.user)
        except services.Refused as refused:
            messages.error(request, refused.message)
            return render(request, "leisure/staff/cancel.html", {
                "registration": registration, "group": group}, status=400)
        _log(request, [registration], AccessLog.Action.CHANGE, f"leisure_group:{group.pk}")
        messages.success(request, _("The registration of %(name)s is cancelled.")
                         % {"name": registration.participant})
        return redirect("leisure_staff:group", group_id=group.pk)
    _log(request, [registration], AccessLog.Action.VIEW, f"leisure_group:{group.pk}")
    return render(request, "leisure/staff/cancel.html", {
        "registration": registration, "group": group})


@never_cache
@staff_permission_required(DESK)
@require_http_methods(["GET", "POST"])
def cancel_group(request, group_id: int):
    """Cancels the group (a confirmation first): every registration, offer and waiting in it is
    cancelled, and each person told (leisure.notifications)."""
    group = _group_or_404(group_id)
    if request.method == "POST":
        try:
            told = services.cancel_group(request.user, group.pk)
        except services.Refused as refused:
            messages.error(request, refused.message)
        else:
            _log(request, told, AccessLog.Action.CHANGE, f"leisure_group:{group.pk}")
            messages.success(request, ngettext(
                "%(activity)s (%(code)s) is cancelled; %(n)d person is told.",
                "%(activity)s (%(code)s) is cancelled; %(n)d people are told.", len(told))
                % {"activity": group.activity.title, "code": group.code, "n": len(told)})
            return redirect("leisure_staff:group", group_id=group.pk)
        status = 400
    else:
        status = 200
    counts = {s: Registration.objects.filter(group=group, status=s).count()
              for s in (S.REGISTERED, S.OFFERED, S.WAITING)}
    return render(request, "leisure/staff/cancel_group.html", {
        "group": group, "registered": counts[S.REGISTERED], "offered": counts[S.OFFERED],
        "waiting": counts[S.WAITING]}, status=status)
