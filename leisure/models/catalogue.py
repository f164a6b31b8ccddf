"""The leisure catalogue (issue 15, part 1): seasons with their registration windows, activity
categories (data), activities, and groups: an activity at a place (geo.Place: no geometry of its
own, so nothing here depends on the storage CRS), for an age range at a reference date, with
a capacity, a waiting list, fees, and one or more weekly time slots (RFC 5545 rules).

Every number and date is bounded here and by the database (CheckConstraint), whatever writes it:
the importer, the admin, a script."""
import datetime as dt
from decimal import Decimal

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.bilingual import localized

MAX_AGE = 99  # an upper age of 99 means "and over"
MAX_CAPACITY = 500
MAX_WAITING_LIST = 500
MAX_FEE = Decimal("10000.00")
MAX_SEASON_DAYS = 366
MAX_CANCELLATION_DAYS = 90


class Season(models.Model):
    """A season's programme ("Hiver 2027"), with its registration windows: residents only from
    `residents_from`, everyone from `everyone_from`, until `closes_at`."""

    code = models.CharField(_("code"), max_length=20, unique=True,
                            help_text=_("The season's code in the leisure software."))
    name_fr = models.CharField(_("name (French)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    residents_from = models.DateTimeField(_("registration opens to residents"))
    everyone_from = models.DateTimeField(_("registration opens to everyone"))
    closes_at = models.DateTimeField(_("registration closes"))
    cancellation_days = models.PositiveSmallIntegerField(
        _("cancellation by citizens until (days before the first session)"), default=7,
        validators=[MaxValueValidator(MAX_CANCELLATION_DAYS)],
        help_text=_("A citizen cancels online until this many days before their group's first "
                    "session; after that, at the counter."))

    class Meta:
        ordering = ["starts_on", "code"]
        verbose_name = _("season")
        verbose_name_plural = _("seasons")
        constraints = [
            models.CheckConstraint(
                name="season_dates_in_order",
                condition=Q(starts_on__lte=F("ends_on"))
                & Q(ends_on__lte=F("starts_on") + dt.timedelta(days=MAX_SEASON_DAYS))),
            models.CheckConstraint(name="season_cancellation_bounded",
                                   condition=Q(cancellation_days__lte=MAX_CANCELLATION_DAYS)),
            models.CheckConstraint(
                name="season_windows_in_order",
                condition=Q(residents_from__lte=F("everyone_from"))
                & Q(everyone_from__lte=F("closes_at"))),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return localized(self, "name")

    def clean(self):
        if self.starts_on and self.ends_on:
            if self.ends_on < self.starts_on:
                raise ValidationError({"ends_on": _("The last day is before the first day.")})
            if (self.ends_on - self.starts_on).days > MAX_SEASON_DAYS:
                raise ValidationError({"ends_on": _("A season lasts a year at most.")})
        if self.residents_from and self.everyone_from and self.closes_at:
            if self.everyone_from < self.residents_from:
                raise ValidationError({"everyone_from": _(
                    "Registration opens to everyone after it opens to residents, not before.")})
            if self.closes_at < self.everyone_from:
                raise ValidationError({"closes_at": _(
                    "Registration closes after it opens to everyone.")})

    def window_at(self, moment: dt.datetime) -> str:
        """Who may register at `moment`: "before" (not open yet), "residents", "everyone" or
        "closed". The seam of the registration (issue 15, part 2)."""
        if moment < self.residents_from:
            return "before"
        if moment < self.everyone_from:
            return "residents"
        if moment < self.closes_at:
            return "everyone"
        return "closed"


class ActivityCategory(models.Model):
    """Swimming, skating, day camps, yoga, library workshops...: the list is data."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["sort_order", "name_fr"]
        verbose_name = _("activity category")
        verbose_name_plural = _("activity categories")

    def __str__(self):
        return self.name

    @property
    def name(self):
        return localized(self, "name")


class Activity(models.Model):
    """What is taught or played ("Patin, niveau 2"); its groups say where, when and for whom."""

    code = models.CharField(_("code"), max_length=50, unique=True,
                            help_text=_("The activity's code in the leisure software."))
    category = models.ForeignKey(ActivityCategory, on_delete=models.PROTECT,
                                 related_name="activities", verbose_name=_("category"))
    title_fr = models.CharField(_("title (French)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description_fr = models.TextField(_("description (French)"), max_length=2000, blank=True)
    description_en = models.TextField(_("description (English)"), max_length=2000, blank=True)

    class Meta:
        ordering = ["title_fr"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def __str__(self):
        return self.title

    @property
    def title(self):
        return localized(self, "title")

    @property
    def description(self):
        return localized(self, "description")


def _between(name, low, high):
    return Q(**{f"{name}__gte": low, f"{name}__lte": high})


class Group(models.Model):
    """An activity at a place, in a season: its ages, seats, fees and time slots."""

    season = models.ForeignKey(Season, on_delete=models.CASCADE, related_name="groups",
                               verbose_name=_("season"))
    code = models.CharField(_("code"), max_length=50,
                            help_text=_("The group's code in the leisure software."))
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="groups",
                                 verbose_name=_("activity"))
    # PROTECT: a place that groups meet at is not deleted under them (an OSM import that
    # would retire it stops and says so: core.importers.sync).
    place = models.ForeignKey("geo.Place", on_delete=models.PROTECT,
                              related_name="leisure_groups", verbose_name=_("place"))
    room = models.CharField(_("room or field"), max_length=100, blank=True,
                            help_text=_("Where in the place: gymnasium, rink, field 2..."))
    instructor = models.CharField(_("instructor"), max_length=100, blank=True)
    age_min = models.PositiveSmallIntegerField(
        _("minimum age"), validators=[MaxValueValidator(MAX_AGE)])
    age_max = models.PositiveSmallIntegerField(
        _("maximum age"), validators=[MaxValueValidator(MAX_AGE)],
        help_text=_("99: no upper limit."))
    age_on = models.DateField(_("age on"), help_text=_("The date at which ages are counted."))
    capacity = models.PositiveSmallIntegerField(
        _("seats"), validators=[MinValueValidator(1), MaxValueValidator(MAX_CAPACITY)])
    waiting_list_size = models.PositiveSmallIntegerField(
        _("waiting list size"), default=0, validators=[MaxValueValidator(MAX_WAITING_LIST)])
    fee_resident = models.DecimalField(
        _("fee for residents"), max_digits=7, decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_FEE)])
    fee_non_resident = models.DecimalField(
        _("fee for non-residents"), max_digits=7, decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_FEE)])
    prerequisite = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("prerequisite activity"),
        help_text=_("The level to have completed first, if any."))
    prerequisite_note_fr = models.CharField(_("prerequisite (French)"), max_length=300,
                                            blank=True)
    prerequisite_note_en = models.CharField(_("prerequisite (English)"), max_length=300,
                                            blank=True)
    counter_only = models.BooleanField(
        _("by phone or at the counter only"), default=False,
        help_text=_("Not open to online registration."))
    # A group the city cancels (too few registrations, no instructor): everyone registered or
    # waiting is told (leisure.services.cancel_group); the group stays, for the record.
    cancelled_at = models.DateTimeField(_("cancelled on"), null=True, blank=True,
                                        editable=False)

    class Meta:
        ordering = ["season", "activity__title_fr", "code"]
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        constraints = [
            models.UniqueConstraint(fields=["season", "code"], name="group_unique_code"),
            models.CheckConstraint(name="group_ages_bounded",
                                   condition=Q(age_min__lte=F("age_max"))
                                   & Q(age_max__lte=MAX_AGE)),
            models.CheckConstraint(name="group_capacity_bounded",
                                   condition=_between("capacity", 1, MAX_CAPACITY)
                                   & _between("waiting_list_size", 0, MAX_WAITING_LIST)),
            models.CheckConstraint(name="group_fees_bounded",
                                   condition=_between("fee_resident", 0, MAX_FEE)
                                   & _between("fee_non_resident", 0, MAX_FEE)),
        ]

    def __str__(self):
        return f"{self.activity} ({self.code})"

    @property
    def prerequisite_note(self):
        return localized(self, "prerequisite_note")

    @property
    def first_session_on(self):
        """The first slot's first session (reads the prefetched slots)."""
        return min((s.starts_on for s in self.slots.all()), default=None)

    @property
    def last_session_on(self):
        return max((s.ends_on for s in self.slots.all()), default=None)

    @property
    def ages_label(self) -> str:
        """"4 to 6 years", "55 years and over", "all ages", in the page's language."""
        if self.age_max >= MAX_AGE:
            if self.age_min == 0:
                return gettext("all ages")
            return ngettext("%(min)d year and over", "%(min)d years and over",
                            self.age_min) % {"min": self.age_min}
        return ngettext("%(min)d to %(max)d year", "%(min)d to %(max)d years",
                        self.age_max) % {"min": self.age_min, "max": self.age_max}

    def clean(self):
        if self.age_min is not None and self.age_max is not None and self.age_min > self.age_max:
            raise ValidationError({"age_max": _(
                "The maximum age (%(max)d) is below the minimum age (%(min)d): swap them.")
                % {"max": self.age_max, "min": self.age_min}})
        if self.pk and self.capacity:
            from .registration import Registration

            taken = self.registrations.filter(status__in=Registration.SEATED).count()
            if self.capacity < taken:
                raise ValidationError({"capacity": _(
                    "%(n)d people are registered or offered a seat: the group cannot have "
                    "fewer seats. Move or cancel registrations first (leisure desk).")
                    % {"n": taken}})
        if self.prerequisite_id and self.prerequisite_id == self.activity_id:
            raise ValidationError({"prerequisite": _(
                "An activity cannot be its own prerequisite.")})


class TimeSlot(models.Model):
    """When a group meets: a weekly rule (RFC 5545, FREQ=WEEKLY with BYDAY...) from its first
    session to its last date, at set hours, less the dates it skips."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="slots",
                              verbose_name=_("group"))
    rule = models.CharField(_("recurrence (RFC 5545 RRULE)"), max_length=200,
                            default="FREQ=WEEKLY",
                            help_text=_("Weekdays only, e.g. FREQ=WEEKLY;BYDAY=TU,TH "
                                        "(INTERVAL=2: every other week)."))
    starts_on = models.DateField(_("first session"))
    ends_on = models.DateField(_("last date"))
    start_time = models.TimeField(_("start time"))
    end_time = models.TimeField(_("end time"))
    exceptions = ArrayField(models.DateField(), size=60, default=list, blank=True,
                            verbose_name=_("skipped dates"),
                            help_text=_("Dates without a session (holidays, spring break), "
                                        "separated by commas."))
    # ISO weekdays the rule gives (1 = Monday), for the catalogue's day filter: written from
    # `rule` by refresh_weekdays() (save(), the importer), never by hand.
    weekdays = ArrayField(models.PositiveSmallIntegerField(), default=list, editable=False)

    class Meta:
        ordering = ["starts_on", "start_time"]
        verbose_name = _("time slot")
        verbose_name_plural = _("time slots")
        constraints = [
            models.CheckConstraint(name="slot_hours_in_order",
                                   condition=Q(start_time__lt=F("end_time"))),
            models.CheckConstraint(
                name="slot_dates_bounded",
                condition=Q(starts_on__lte=F("ends_on"))
                & Q(ends_on__lte=F("starts_on") + dt.timedelta(days=MAX_SEASON_DAYS))),
        ]

    def __str__(self):
        return f"{self.rule} {self.start_time:%H:%M}-{self.end_time:%H:%M}"

    def save(self, *args, **kwargs):
        self.refresh_weekdays()
        super().save(*args, **kwargs)

    def refresh_weekdays(self):
        from ..recurrence import parse_rule

        self.weekdays = list(parse_rule(self.rule).days(self.starts_on))

    @property
    def description(self) -> str:
        """"Every week: Tuesday and Thursday", in the page's language."""
        from ..recurrence import describe, parse_rule

        return describe(parse_rule(self.rule), self.starts_on)

    def clean(self):
        """The rule is read as the pages read it, and the slot gives sessions within its
        group's season."""
        from ..recurrence import BadRule, check_slot, parse_rule

        if not (self.rule and self.starts_on and self.ends_on and self.start_time
                and self.end_time):
            return
        try:
            rule = parse_rule(self.rule)
            check_slot(rule, self.starts_on, self.ends_on, self.start_time, self.end_time,
                       self.exceptions or [])
        except BadRule as exc:
            raise ValidationError(str(exc)) from None
        self.rule = rule.text()
        try:  # in the admin, the group being added: unsaved, its season chosen or not
            season = self.group.season
        except ObjectDoesNotExist:
            season = None
        if season and not (season.starts_on <= self.starts_on and self.ends_on <= season.ends_on):
            raise ValidationError(_("The slot (%(start)s to %(end)s) is outside its season "
                                    "(%(season_start)s to %(season_end)s).")
                                  % {"start": self.starts_on.isoformat(),
                                     "end": self.ends_on.isoformat(),
                                     "season_start": season.starts_on.isoformat(),
                                     "season_end": season.ends_on.isoformat()})
