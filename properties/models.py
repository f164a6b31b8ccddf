"""Evaluation units (properties), their civic addresses, cadastral parcels and roll entries."""
from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.utils.translation import gettext_lazy as _

from core.bilingual import localized

from .querysets import CivicAddressQuerySet, PropertyQuerySet

SRID = settings.GUICHET_SRID


class Parcel(models.Model):
    """A cadastral lot (Quebec cadastre: 7-digit lot number)."""

    lot_number = models.CharField(_("lot number"), max_length=20, unique=True)
    geom = models.MultiPolygonField(srid=SRID)
    source = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = _("parcel")
        verbose_name_plural = _("parcels")

    def __str__(self):
        return self.lot_number


class UseCode(models.Model):
    """Land-use code (CUBF) of the roll, with its label."""

    code = models.CharField(max_length=4, primary_key=True)
    label_fr = models.CharField(max_length=255)
    label_en = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = _("use code")
        verbose_name_plural = _("use codes")

    def __str__(self):
        return f"{self.code} {self.label}"

    @property
    def label(self):
        return localized(self, "label")


class Property(models.Model):
    """An evaluation unit of the roll, identified by its matricule."""

    matricule = models.CharField(_("matricule"), max_length=30, unique=True,
                                 help_text=_("Division-section-emplacement-CAV-building-unit"))
    municipality_code = models.CharField(_("municipality code"), max_length=10, blank=True)
    lots = ArrayField(models.CharField(max_length=20), default=list, blank=True,
                      verbose_name=_("lots"))
    # Union of the unit's cadastral lots, copied here so proximity reads one row.
    parcel = models.MultiPolygonField(_("parcel"), srid=SRID, null=True, blank=True)
    address_point = models.PointField(_("address point"), srid=SRID, null=True, blank=True)
    # The first roll year that no longer lists the unit (demolished, merged, renumbered): kept
    # with its history, links and requests; None while the current roll lists it.
    retired_roll_year = models.PositiveSmallIntegerField(_("no longer on the roll from"),
                                                         null=True, blank=True)

    objects = PropertyQuerySet.as_manager()

    class Meta:
        verbose_name = _("property")
        verbose_name_plural = _("properties")
        indexes = [GinIndex(name="property_lots", fields=["lots"])]

    def __str__(self):
        address = self.addresses.first()
        return f"{address} ({self.matricule})" if address else self.matricule

    @property
    def location(self):
        """Where proximity is measured from: the parcel when known, else the address point."""
        return self.parcel or self.address_point


class CivicAddress(models.Model):
    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="addresses")
    civic_number = models.CharField(_("civic number"), max_length=10)
    civic_suffix = models.CharField(max_length=5, blank=True)
    civic_number_to = models.CharField(max_length=10, blank=True)
    street_generic = models.CharField(max_length=30, blank=True)  # rue, avenue, boulevard
    street_link = models.CharField(max_length=10, blank=True)  # de, du, des
    street_name = models.CharField(max_length=200)
    street_direction = models.CharField(max_length=10, blank=True)
    unit = models.CharField(max_length=20, blank=True)
    label = models.CharField(_("address"), max_length=300)
    # normalize(label) without the unit: the type-ahead and the linking key.
    search_text = models.CharField(max_length=300)
    civic_int = models.IntegerField(null=True, db_index=True)

    objects = CivicAddressQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("civic address")
        verbose_name_plural = _("civic addresses")
        indexes = [GinIndex(name="civicaddress_trgm", fields=["search_text"],
                            opclasses=["gin_trgm_ops"])]

    def __str__(self):
        return self.label


class RollEntry(models.Model):
    """One roll year's entry for a unit (MAMH fields named beside each column)."""

    # No index of its own: rollentry_unique_year (property, roll_year) serves look-ups by property.
    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="roll_entries",
                                 db_index=False)
    roll_year = models.PositiveSmallIntegerField(_("roll year"))  # RLM02A
    land_value = models.BigIntegerField(_("land value"), null=True)  # RL0402A
    building_value = models.BigIntegerField(_("building value"), null=True)  # RL0403A
    total_value = models.BigIntegerField(_("total value"), null=True)  # RL0404A
    previous_total_value = models.BigIntegerField(_("previous roll value"), null=True)  # RL0405A
    use_code = models.CharField(_("use code"), max_length=4, blank=True)  # RL0105A
    year_built = models.PositiveSmallIntegerField(_("year built"), null=True)  # RL0307A
    year_built_estimated = models.BooleanField(default=False)  # RL0307B = "E"
    floor_area = models.DecimalField(_("floor area (m²)"), max_digits=12, decimal_places=2,
                                     null=True)  # RL0308A
    dwellings = models.PositiveIntegerField(_("dwellings"), null=True)  # RL0311A
    storeys = models.PositiveSmallIntegerField(_("storeys"), null=True)  # RL0306A
    lot_area = models.DecimalField(_("lot area (m²)"), max_digits=14, decimal_places=2,
                                   null=True)  # RL0302A
    frontage = models.DecimalField(_("frontage (m)"), max_digits=10, decimal_places=2,
                                   null=True)  # RL0301A
    reference_date = models.DateField(_("market reference date"), null=True)  # RL0401A

    class Meta:
        ordering = ["-roll_year"]
        verbose_name = _("roll entry")
        verbose_name_plural = _("roll entries")
        constraints = [models.UniqueConstraint(fields=["property", "roll_year"],
                                               name="rollentry_unique_year")]

    def __str__(self):
        return f"{self.property.matricule} {self.roll_year}"

    def use_label(self):
        code = UseCode.objects.filter(code=self.use_code).first() if self.use_code else None
        return code.label if code else ""
