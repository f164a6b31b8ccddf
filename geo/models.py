"""The territory, its places (services, parks, schools...), streets and address points.

Geometries are stored in one projected metric CRS (settings.GUICHET_SRID) so that distances are
plain metres on a GiST index."""
from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GinIndex
from django.utils.translation import gettext_lazy as _

from core.bilingual import localized

from .querysets import AddressPointQuerySet, PlaceQuerySet, TerritoryQuerySet

SRID = settings.GUICHET_SRID


class Territory(models.Model):
    """The municipality's boundary. Importers skip what falls outside it."""

    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("geographic code"), max_length=10, blank=True,
                            help_text=_("MAMH geographic code of the municipality, e.g. 71100."))
    geom = models.MultiPolygonField(_("boundary"), srid=SRID)
    source = models.TextField(_("source"), blank=True)

    objects = TerritoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("territory")
        verbose_name_plural = _("territories")

    def __str__(self):
        return self.name


class PlaceCategory(models.Model):
    """A kind of place (school, park...). The list is data: a city adds its own in the admin."""

    slug = models.SlugField(unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    icon = models.CharField(_("icon"), max_length=40, default="place",
                            help_text=_("Name of the SVG icon under map_ui/static/map_ui/icons/."))
    color = models.CharField(_("colour"), max_length=7, default="#1f5f8b")
    sort_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["sort_order", "slug"]
        verbose_name = _("place category")
        verbose_name_plural = _("place categories")

    def __str__(self):
        return self.name

    @property
    def name(self):
        return localized(self, "name")


class Place(models.Model):
    category = models.ForeignKey(PlaceCategory, on_delete=models.PROTECT, related_name="places",
                                 verbose_name=_("category"))
    name = models.CharField(_("name"), max_length=255, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    geom = models.GeometryField(_("geometry"), srid=SRID)  # point or polygon
    source = models.CharField(_("source"), max_length=50, default="manual")
    source_id = models.CharField(_("identifier in the source"), max_length=100, blank=True)

    objects = PlaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id", "category"],
                                    name="place_unique_source_id",
                                    condition=~models.Q(source_id="")),
        ]

    def __str__(self):
        return self.name or str(self.category)

    @property
    def display_name(self):
        return self.name or str(self.category)


class Street(models.Model):
    """Street centre lines, so the map can draw the town with no tile server."""

    name = models.CharField(_("name"), max_length=255, blank=True)
    kind = models.CharField(_("kind"), max_length=40, blank=True)
    geom = models.MultiLineStringField(srid=SRID)
    # Where the row came from: "osm" (import_osm), or the file or name given to import_streets.
    # An import retires the rows of its own source only (core.importers.sync.Syncer).
    source = models.CharField(_("source"), max_length=100, default="osm")
    source_id = models.CharField(max_length=100)

    class Meta:
        verbose_name = _("street")
        verbose_name_plural = _("streets")
        constraints = [models.UniqueConstraint(fields=["source", "source_id"],
                                               name="street_unique_source_id")]

    def __str__(self):
        return self.name


class AddressPoint(models.Model):
    """A civic address located by a point (from OpenStreetMap or the city's address layer)."""

    civic_number = models.CharField(_("civic number"), max_length=20)
    street = models.CharField(_("street"), max_length=255)
    city = models.CharField(_("city"), max_length=100, blank=True)
    # Normalised "number street" (accents, case, abbreviations): the key used to link roll units.
    search_text = models.CharField(max_length=300, db_index=True)
    geom = models.PointField(srid=SRID)
    # "osm" (import_osm), or the file or name given to import_addresses: OpenStreetMap's points
    # and the city's own address layer are told apart, and each import retires its own only.
    source = models.CharField(_("source"), max_length=100, default="osm")
    source_id = models.CharField(max_length=100)

    objects = AddressPointQuerySet.as_manager()

    class Meta:
        verbose_name = _("address point")
        verbose_name_plural = _("address points")
        indexes = [GinIndex(name="addresspoint_trgm", fields=["search_text"],
                            opclasses=["gin_trgm_ops"])]
        constraints = [models.UniqueConstraint(fields=["source", "source_id"],
                                               name="addresspoint_unique_source_id")]

    def __str__(self):
        return f"{self.civic_number} {self.street}"
