"""The household's week (issue 15, part 2): "Our week" (every session of the household's
registered and offered groups, week by week, within the seasons' dates), its printable summary,
and the calendar feed at the account's secret address (with its reset). Every read is the
signed-in citizen's own (Registration.user) and is written to the access log; the feed's too,
with no one signed in (a calendar app asks)."""
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from citizens.selectors import preferred_languages
from core.access_log import log_access
from core.models import AccessLog

from .. import selectors, services
from ..ical import household_calendar

MAX_WEEK_PARAM = 10  # YYYY-MM-DD


def _log(request, subject, record):
    log_access(request, subject=subject, action=AccessLog.Action.VIEW, record=record)


def _asked_week(request) -> tuple[dt.date | None, bool]:
    """The day asked with ?semaine=YYYY-MM-DD (None: the default week), and whether it read."""
    raw = request.GET.get("semaine", "")
    if not raw:
        return None, True
    try:
        return dt.date.fromisoformat(raw[:MAX_WEEK_PARAM]), len(raw) == MAX_WEEK_PARAM
    except ValueError:
        return None, False


@login_required
@never_cache
@require_GET
def week(request):
    today = timezone.localdate()
    asked, valid = _asked_week(request)
    shown = selectors.our_week(request.user, asked, today)
    _log(request, request.user, "leisure_week")
    feed = request.build_absolute_uri(reverse(
        "leisure:calendar_feed", args=[services.calendar_token(request.user)]))
    return render(request, "leisure/week.html", {
        "week": shown, "today": today, "valid": valid, "feed": feed,
    }, status=200 if valid else 400)


@login_required
@never_cache
@require_GET
def week_summary(request):
    people, total = selectors.week_summary(request.user)
    _log(request, request.user, "leisure_week")
    return render(request, "leisure/week_summary.html", {
        "people": people, "total": total, "today": timezone.localdate()})


@login_required
@require_POST
def calendar_reset(request):
    services.reset_calendar_token(request.user)
    log_access(request, subject=request.user, action=AccessLog.Action.CHANGE,
               record="leisure_calendar")
    messages.success(request, _("Your calendar has a new address: subscribe to it again in "
                                "your calendar app; the old address no longer works."))
    return redirect(reverse("leisure:week") + "#calendar-title")


@never_cache
@require_GET
def calendar_feed(request, token):
    user = selectors.calendar_owner(token)
    if user is None:
        raise Http404
    _log(request, user, "leisure_calendar")
    language = preferred_languages([user.pk]).get(user.pk) or "fr"
    cal = household_calendar(selectors.feed_registrations(user), language)
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="loisirs.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response
