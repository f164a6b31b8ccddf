"""How this app's records read in the citizen's access log (core.access_log):
"leisure_group:<id>" (a group's lists or attendance sheet, where the citizen's household
appears, seen or changed at the leisure desk: the words name the group, never who else is in
it), "leisure_week" (the household's week and its summary), "leisure_calendar" (the calendar
feed read at its secret address, or the address reset). The log says that they were seen, never
what they hold."""
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Group


def groups(keys, subject) -> dict[str, str]:
    ids = [int(key) for key in keys if key.isdigit() and len(key) < 19]
    found = {str(g.pk): g for g in Group.objects.filter(pk__in=ids).select_related("activity")}
    words = {}
    for key in keys:
        group = found.get(key)
        words[key] = (_("Your household's registration in %(activity)s (%(code)s)")
                      % {"activity": group.activity.title, "code": group.code}
                      if group is not None else _("Your household's leisure registrations"))
    return words


def register() -> None:
    from core.access_log import in_words, register_kind

    register_kind("leisure_group", groups)
    register_kind("leisure_week", in_words(gettext_lazy("Your household's week of activities")))
    register_kind("leisure_calendar",
                  in_words(gettext_lazy("Your household's leisure calendar (its address)")))
