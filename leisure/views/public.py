"""The public catalogue: a season's groups with filters, on a map and in a list, and a page per
group (its schedule with the next sessions, place, ages, fees, seats left)."""
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from map_ui.config import map_base

from .. import selectors
from ..filters import CatalogueFilterForm
from ..models import Group
from ..recurrence import sessions

PAGE_SIZE = 50
NEXT_SESSIONS = 10


def catalogue(request):
    today = timezone.localdate()
    seasons = list(selectors.seasons())
    code = request.GET.get("season")
    season = next((s for s in seasons if s.code == code), None) if code else \
        selectors.current_season(today)
    data = request.GET.copy()
    if season is not None and not code:
        data["season"] = season.code  # the season shown, chosen in its list
    form = CatalogueFilterForm(data, seasons=seasons, **selectors.filter_choices(season))
    valid = form.is_valid()
    if valid and code and season is None:
        form.add_error("season", _("No season has the code %(code)s.") % {"code": code})
        valid = False
    filters = form.cleaned_data if valid else {}
    groups = selectors.catalogue(season, filters) if valid else Group.objects.none()
    page = Paginator(groups, PAGE_SIZE).get_page(filters.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    places = selectors.map_places(groups) if valid else []
    return render(request, "leisure/catalogue.html", {
        "season": season, "form": form, "page": page, "query": query.urlencode(),
        "seasons": seasons, "places": places,
        "map_config": {**map_base(), "places": [_map_place(p, query) for p in places]},
    }, status=200 if valid else 400)


def _map_place(place, query) -> dict:
    """A marker: its place, how many groups, and the list filtered by it (the map's way to the
    list; the filters' place list is the way without the map)."""
    filtered = query.copy()
    filtered["place"] = str(place["id"])
    label = ngettext("%(n)d group", "%(n)d groups", place["count"]) % {"n": place["count"]}
    return {**place, "label": label,
            "url": f"{reverse('leisure:catalogue')}?{filtered.urlencode()}#groups",
            "linkText": _("%(groups)s: see them in the list") % {"groups": label}}


def group_page(request, pk):
    try:
        group = selectors.group_page(pk)
    except Group.DoesNotExist:
        raise Http404 from None
    today = timezone.localdate()
    slots = list(group.slots.all())
    upcoming = sessions(slots, start=today, limit=NEXT_SESSIONS)
    registration = (selectors.group_registration(request.user, group)
                    if request.user.is_authenticated else None)
    return render(request, "leisure/group.html", {
        "group": group, "slots": slots, "upcoming": upcoming, "today": today,
        "registration": registration,
        "over": not upcoming, "season": group.season,
        "window": group.season.window_at(timezone.now()),
        "map_config": {**map_base(), "point": [group.lat, group.lon],
                       "placeName": group.place.display_name},
    })
