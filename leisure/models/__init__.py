"""The leisure app's models: the catalogue (seasons, categories, activities, groups and their
time slots) and the registrations of household members to groups."""
from .calendar import CalendarToken  # noqa: F401
from .catalogue import (  # noqa: F401
    MAX_AGE,
    MAX_CANCELLATION_DAYS,
    MAX_CAPACITY,
    MAX_FEE,
    MAX_SEASON_DAYS,
    MAX_WAITING_LIST,
    Activity,
    ActivityCategory,
    Group,
    Season,
    TimeSlot,
)
from .registration import Registration  # noqa: F401
