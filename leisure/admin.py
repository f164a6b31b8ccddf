"""The catalogue in the admin: seasons and their windows, categories, activities, and groups with
their time slots (the rule read and its slots checked as the importer checks them)."""
from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import services
from .models import Activity, ActivityCategory, Group, Registration, Season, TimeSlot
from .recurrence import BadRule, overlap, parse_rule


@admin.register(Season)
class SeasonAdmin(admin.ModelAdmin):
    list_display = ["code", "name_fr", "starts_on", "ends_on", "residents_from",
                    "everyone_from", "closes_at"]
    search_fields = ["code", "name_fr", "name_en"]


@admin.register(ActivityCategory)
class ActivityCategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name_fr", "name_en", "sort_order"]
    list_editable = ["sort_order"]
    search_fields = ["code", "name_fr", "name_en"]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["code", "title_fr", "category"]
    list_filter = ["category"]
    search_fields = ["code", "title_fr", "title_en"]


class SlotFormSet(forms.BaseInlineFormSet):
    """A group's slots may not meet at overlapping hours on the same day (as the importer
    refuses them)."""

    def clean(self):
        super().clean()
        slots = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or form.errors:
                continue
            slot = TimeSlot(**{k: data[k] for k in ("rule", "starts_on", "ends_on",
                                                    "start_time", "end_time")},
                            exceptions=data.get("exceptions") or [])
            try:
                parse_rule(slot.rule)
            except BadRule:
                continue  # the slot's own error is shown on its line
            for other in slots:
                day = overlap(other, slot)
                if day is not None:
                    raise ValidationError(
                        _("Two time slots of this group overlap on %(day)s (%(a)s and %(b)s): "
                          "correct the days or hours.")
                        % {"day": day.isoformat(),
                           "a": f"{other.start_time:%H:%M}-{other.end_time:%H:%M}",
                           "b": f"{slot.start_time:%H:%M}-{slot.end_time:%H:%M}"})
            slots.append(slot)


class TimeSlotInline(admin.TabularInline):
    model = TimeSlot
    formset = SlotFormSet
    fields = ["rule", "starts_on", "ends_on", "start_time", "end_time", "exceptions"]
    extra = 0
    min_num = 1


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ["code", "activity", "season", "place", "age_min", "age_max", "capacity",
                    "fee_resident", "fee_non_resident", "counter_only"]
    list_filter = ["season", "activity__category", "counter_only"]
    search_fields = ["code", "activity__title_fr", "activity__code", "place__name",
                     "instructor"]
    autocomplete_fields = ["place", "activity", "prerequisite"]
    list_select_related = ["activity", "season", "place__category"]
    inlines = [TimeSlotInline]
    fieldsets = [
        (None, {"fields": ["season", "code", "activity", "place", "room", "instructor"]}),
        (gettext_lazy("Ages"), {"fields": ["age_min", "age_max", "age_on"]}),
        (gettext_lazy("Seats and fees"), {"fields": ["capacity", "waiting_list_size",
                                                     "fee_resident", "fee_non_resident",
                                                     "counter_only"]}),
        (gettext_lazy("Prerequisite"), {"fields": ["prerequisite", "prerequisite_note_fr",
                                                   "prerequisite_note_en"]}),
    ]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "capacity" in form.changed_data:
            services.settle(obj.pk)  # more seats: offered to the waiting list, in order


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    """Read only: a registration changes through the services (the basket, the leisure desk's
    pages), which count seats under the group's lock; an edit here could overbook."""

    list_display = ["group", "participant", "status", "seq", "confirmed_at", "resident", "fee",
                    "channel"]
    list_filter = ["status", "channel", "resident", "group__season"]
    search_fields = ["group__code", "member__last_name", "member__first_name", "user__email"]
    list_select_related = ["group__activity", "member"]
    ordering = ["group", "seq"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
