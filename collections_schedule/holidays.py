"""Quebec statutory holidays (Loi sur les normes du travail, art. 60 and Loi sur la fête
nationale), computed per year. A city loads them with `load_holidays` and edits them after."""
import datetime as dt

from dateutil.easter import easter
from dateutil.relativedelta import MO, relativedelta


def quebec_statutory_holidays(year: int) -> list[tuple[dt.date, str, str]]:
    may_25 = dt.date(year, 5, 25)
    return [
        (dt.date(year, 1, 1), "Jour de l'An", "New Year's Day"),
        # The law lets employers choose Good Friday or Easter Monday; municipal services
        # usually observe Good Friday (a city adds Easter Monday in the admin if it does too).
        (easter(year) - dt.timedelta(days=2), "Vendredi saint", "Good Friday"),
        (may_25 + relativedelta(weekday=MO(-1)) if may_25.weekday() != 0
         else may_25 - dt.timedelta(days=7),
         "Journée nationale des patriotes", "National Patriots' Day"),
        (dt.date(year, 6, 24), "Fête nationale du Québec", "Quebec National Holiday"),
        (dt.date(year, 7, 1), "Fête du Canada", "Canada Day"),
        (dt.date(year, 9, 1) + relativedelta(weekday=MO(+1)), "Fête du Travail", "Labour Day"),
        (dt.date(year, 10, 1) + relativedelta(weekday=MO(+2)), "Action de grâce",
         "Thanksgiving"),
        (dt.date(year, 12, 25), "Noël", "Christmas Day"),
    ]


def load_holidays(model, years) -> int:
    rows = [model(date=d, name_fr=fr, name_en=en)
            for year in years for d, fr, en in quebec_statutory_holidays(year)]
    model.objects.bulk_create(rows, update_conflicts=True, unique_fields=["date"],
                              update_fields=["name_fr", "name_en"])
    return len(rows)
