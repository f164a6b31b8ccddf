"""Collection streams, versioned zone sets with RFC 5545 recurrences, exceptions and holidays;
lawn-watering rules and bans. Zones and areas are stored in the metric CRS (GUICHET_SRID)."""
from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.bilingual import localized

from .querysets import ZoneQuerySet, ZoneSetQuerySet

SRID = settings.GUICHET_SRID


class Localized:
    @property
    def name(self):
        return localized(self, "name")


class HolidayPolicy(models.TextChoices):
    NEXT_DAY = "next_day", _("moved to the next day")
    PREVIOUS_DAY = "previous_day", _("moved to the previous day")
    CANCEL = "cancel", _("cancelled")
    KEEP = "keep", _("collected as usual")


class Stream(Localized, models.Model):
    """What is collected (garbage, recycling, organics...). The list is data."""

    slug = models.SlugField(unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    color = models.CharField(_("colour"), max_length=7, default="#475569")
    sort_order = models.PositiveSmallIntegerField(default=100)
    holiday_policy = models.CharField(_("on a statutory holiday"), max_length=20,
                                      choices=HolidayPolicy.choices,
                                      default=HolidayPolicy.NEXT_DAY)
    instructions_fr = models.TextField(_("instructions (French)"), blank=True)
    instructions_en = models.TextField(_("instructions (English)"), blank=True)

    class Meta:
        ordering = ["sort_order", "slug"]
        verbose_name = _("collection stream")
        verbose_name_plural = _("collection streams")

    def __str__(self):
        return self.name


class ZoneSet(models.Model):
    """A version of a stream's zones. Drawn or imported as a draft, checked, then activated from a
    date; the set in force on a day is the active one with the latest start on or before it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ACTIVE = "active", _("active")

    stream = models.ForeignKey(Stream, on_delete=models.PROTECT, related_name="zone_sets",
                               verbose_name=_("collection stream"))
    name = models.CharField(_("name"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.DRAFT)
    effective_from = models.DateField(_("in force from"), null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    activated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    override_note = models.TextField(_("why the failed checks were overridden"), blank=True)
    source = models.CharField(_("source"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ZoneSetQuerySet.as_manager()

    class Meta:
        ordering = ["stream", "-effective_from", "-pk"]
        verbose_name = _("zone set")
        verbose_name_plural = _("zone sets")

    def __str__(self):
        return f"{self.stream} — {self.name}"


class Zone(models.Model):
    zone_set = models.ForeignKey(ZoneSet, on_delete=models.CASCADE, related_name="zones",
                                 verbose_name=_("zone set"))
    code = models.CharField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=200, blank=True)
    geom = models.MultiPolygonField(_("area"), srid=SRID)
    # RFC 5545 recurrence lines ("RRULE:FREQ=WEEKLY;BYDAY=TU", one per line; a season is a
    # BYMONTH part), anchored at dtstart: "every other week" counts its weeks from there.
    rrules = models.TextField(_("recurrence (RFC 5545 RRULE lines)"))
    dtstart = models.DateField(_("first collection"))
    starts_at = models.TimeField(_("bins out by"), default="07:00")
    ends_at = models.TimeField(_("collection ends"), default="18:00")

    objects = ZoneQuerySet.as_manager()

    class Meta:
        ordering = ["zone_set", "code"]
        verbose_name = _("collection zone")
        verbose_name_plural = _("collection zones")
        constraints = [models.UniqueConstraint(fields=["zone_set", "code"],
                                               name="zone_unique_code")]

    def __str__(self):
        return f"{self.code} {self.name}".strip()

    def clean(self):
        """The recurrence is read as the pages read it, and may come back daily at most often."""
        from .recurrence import parse_rrules

        if not self.rrules or not self.dtstart:
            return
        try:
            parse_rrules(self.rrules, self.dtstart)
        except ValueError as exc:
            raise ValidationError({"rrules": _("Invalid recurrence: %(error)s")
                                   % {"error": exc}}) from None
        except TypeError:  # rrulestr's way of saying that FREQ is missing
            raise ValidationError({"rrules": _("Invalid recurrence: %(error)s")
                                   % {"error": _("no FREQ part")}}) from None


class CollectionException(models.Model):
    """A date moved, cancelled or added, for a zone, a whole stream, or every stream."""

    class Kind(models.TextChoices):
        MOVED = "moved", _("moved")
        CANCELLED = "cancelled", _("cancelled")
        EXTRA = "extra", _("extra collection")

    kind = models.CharField(_("kind of change"), max_length=10, choices=Kind.choices)
    stream = models.ForeignKey(Stream, null=True, blank=True, on_delete=models.CASCADE,
                               verbose_name=_("collection stream"),
                               related_name="exceptions", help_text=_("Empty: every stream."))
    zone = models.ForeignKey(Zone, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="exceptions", help_text=_("Empty: every zone."))
    date = models.DateField(_("date"))
    new_date = models.DateField(_("new date"), null=True, blank=True)
    note_fr = models.CharField(_("note (French)"), max_length=255, blank=True)
    note_en = models.CharField(_("note (English)"), max_length=255, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("collection exception")
        verbose_name_plural = _("collection exceptions")

    def __str__(self):
        return f"{self.get_kind_display()} {self.date}"


class Holiday(Localized, models.Model):
    """Statutory holidays (computed per year for Quebec by `load_holidays`, editable)."""

    date = models.DateField(unique=True)
    name_fr = models.CharField(max_length=100)
    name_en = models.CharField(max_length=100)

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")

    def __str__(self):
        return f"{self.date} {self.name}"


class WateringMethod(models.TextChoices):
    SPRINKLER = "sprinkler", _("automatic sprinkler")
    HANDHELD = "handheld", _("hand-held hose")
    DRIP = "drip", _("drip irrigation")


class WateringRule(models.Model):
    """When a method may be used: a window of hours, on some weekdays, on dates whose parity
    matches the civic number's (even numbers on even dates), in a period of the year, in an area
    or the whole town."""

    name_fr = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    method = models.CharField(_("watering method"), max_length=20,
                              choices=WateringMethod.choices)
    area = models.MultiPolygonField(srid=SRID, null=True, blank=True,
                                    help_text=_("Empty: the whole territory."))
    parity_matches_civic = models.BooleanField(
        _("date parity must match the civic number's"), default=False)
    weekdays = ArrayField(models.PositiveSmallIntegerField(), default=list, blank=True,
                          help_text=_("ISO weekdays 1 (Monday) to 7; empty: every day."))
    starts_at = models.TimeField()
    ends_at = models.TimeField()
    season_start = models.CharField(max_length=5, default="01-01", help_text="MM-DD")
    season_end = models.CharField(max_length=5, default="12-31", help_text="MM-DD")
    bylaw = models.CharField(_("by-law reference"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("watering rule")
        verbose_name_plural = _("watering rules")

    def __str__(self):
        return self.name_fr

    @property
    def name(self):
        return localized(self, "name")


class WateringBan(models.Model):
    """A temporary ban (heat wave, water shortage) that overrides the rules."""

    title_fr = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    area = models.MultiPolygonField(srid=SRID, null=True, blank=True,
                                    help_text=_("Empty: the whole territory."))
    methods = ArrayField(models.CharField(max_length=20, choices=WateringMethod.choices),
                         default=list, blank=True, help_text=_("Empty: every method."))

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("watering ban")
        verbose_name_plural = _("watering bans")

    def __str__(self):
        return self.title_fr

    @property
    def title(self):
        return localized(self, "title")
