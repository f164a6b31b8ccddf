"""Citizen pages: the property's iCalendar feed and its printable calendar for a year."""
import calendar
import datetime as dt

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from properties.models import Property

from ..calendar_marks import stream_marks
from ..ical import property_calendar
from ..schedule import collection_dates


def _property(pk):
    return get_object_or_404(Property.objects.prefetch_related("addresses"), pk=pk)


def property_ical(request, pk):
    """Subscribe URL: the past month and the coming year; apps refresh it daily."""
    prop = _property(pk)
    today = timezone.localdate()
    address = prop.addresses.first()
    title = _("Collections — %(address)s") % {"address": address.label if address else
                                             prop.matricule}
    cal = property_calendar(prop, today - dt.timedelta(days=31), today + dt.timedelta(days=366),
                            title)
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="collectes-{prop.pk}.ics"'
    response["Cache-Control"] = "public, max-age=3600"
    return response


def property_year(request, pk, year):
    """The year on one printable page: twelve month grids, a mark per collection: the stream's
    colour and its own letters (calendar_marks), explained by the legend."""
    if not 2000 <= year <= 2100:
        raise Http404
    prop = _property(pk)
    schedules = collection_dates(prop, dt.date(year, 1, 1), dt.date(year, 12, 31))
    streams = list({s.stream.pk: s.stream for s in schedules}.values())
    mark_of = dict(zip([s.pk for s in streams], stream_marks([s.name for s in streams]),
                       strict=True))
    legend = [(s, mark_of[s.stream.pk]) for s in schedules]
    by_day: dict[dt.date, list] = {}
    for s in schedules:
        for occ in s.dates:
            by_day.setdefault(occ.date, []).append((s.stream, occ, mark_of[s.stream.pk]))
    months = []
    cal = calendar.Calendar(firstweekday=6)  # weeks start on Sunday, as on Quebec calendars
    for month in range(1, 13):
        weeks = [[(day, by_day.get(day, [])) if day.month == month else None for day in week]
                 for week in cal.monthdatescalendar(year, month)]
        months.append({"date": dt.date(year, month, 1), "weeks": weeks})
    weekdays = [dt.date(2023, 1, 1) + dt.timedelta(days=i) for i in range(7)]  # Sun..Sat
    return render(request, "collections_schedule/year.html", {
        "property": prop, "address": prop.addresses.first(), "year": year, "months": months,
        "weekdays": weekdays, "legend": legend,
    })
