from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.maps_admin import MapAdmin

from .models import (
    CollectionException,
    Holiday,
    Stream,
    WateringBan,
    WateringRule,
    Zone,
    ZoneSet,
)
from .services import merge_zones


@admin.register(Stream)
class StreamAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_fr", "name_en", "holiday_policy", "sort_order"]
    list_editable = ["sort_order"]
    prepopulated_fields = {"slug": ["name_en"]}


class ZoneInline(admin.TabularInline):
    """The zones of a set, listed (their areas are edited on the zone's own map page)."""

    model = Zone
    fields = ["code", "name", "rrules", "dtstart"]
    show_change_link = True
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False  # a zone needs its area: it is added on the zone's map page


@admin.register(ZoneSet)
class ZoneSetAdmin(admin.ModelAdmin):
    list_display = ["name", "stream", "status", "effective_from", "zones_count", "checks_link"]
    list_filter = ["stream", "status"]
    search_fields = ["name", "source"]
    # Activation runs the checks: it happens on the checks page, never by editing these fields.
    readonly_fields = ["status", "effective_from", "activated_at", "activated_by",
                       "override_note", "created_at", "checks_link"]
    inlines = [ZoneInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(zones_total=Count("zones"))

    @admin.display(description=gettext_lazy("zones"), ordering="zones_total")
    def zones_count(self, obj):
        return obj.zones_total if hasattr(obj, "zones_total") else obj.zones.count()

    @admin.display(description=gettext_lazy("checks"))
    def checks_link(self, obj):
        if not obj.pk:
            return "—"
        url = reverse("collections_staff:zone_set", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Checks and activation"))


@admin.register(Zone)
class ZoneAdmin(MapAdmin):
    list_display = ["code", "name", "zone_set", "rrules", "dtstart"]
    list_filter = ["zone_set__stream", "zone_set"]
    list_select_related = ["zone_set__stream"]
    search_fields = ["code", "name"]
    actions = ["merge_selected_zones"]

    @admin.action(description=gettext_lazy("Merge the selected zones"),
                  permissions=["change", "delete"])
    def merge_selected_zones(self, request, queryset):
        count = queryset.count()
        try:
            zone = merge_zones(zones=queryset)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return
        self.message_user(request, _("%(count)d zones merged into zone %(code)s.")
                          % {"count": count, "code": zone.code}, messages.SUCCESS)


@admin.register(CollectionException)
class CollectionExceptionAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "new_date", "stream", "zone", "note_fr"]
    list_filter = ["kind", "stream"]
    date_hierarchy = "date"
    raw_id_fields = ["zone"]


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "name_fr", "name_en"]
    date_hierarchy = "date"


@admin.register(WateringRule)
class WateringRuleAdmin(MapAdmin):
    list_display = ["name_fr", "method", "starts_at", "ends_at", "season_start", "season_end",
                    "parity_matches_civic", "bylaw"]
    list_filter = ["method"]


@admin.register(WateringBan)
class WateringBanAdmin(MapAdmin):
    list_display = ["title_fr", "starts_at", "ends_at"]
    date_hierarchy = "starts_at"
