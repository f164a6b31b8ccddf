"""How this app's records read in the citizen's access log (core.access_log): "leisure_week"
(the household's week and its summary), "leisure_calendar" (the calendar feed read at its
secret address, or the address reset). The log says that they were seen, never what they hold."""
from django.utils.translation import gettext_lazy


def register() -> None:
    from core.access_log import in_words, register_kind

    register_kind("leisure_week", in_words(gettext_lazy("Your household's week of activities")))
    register_kind("leisure_calendar",
                  in_words(gettext_lazy("Your household's leisure calendar (its address)")))
