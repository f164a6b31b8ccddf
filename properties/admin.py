from django.contrib import admin

from core.maps_admin import MapAdmin

from .models import CivicAddress, Parcel, Property, RollEntry, UseCode


class CivicAddressInline(admin.TabularInline):
    model = CivicAddress
    extra = 0
    fields = ["label", "civic_number", "street_name", "unit"]


class RollEntryInline(admin.TabularInline):
    model = RollEntry
    extra = 0
    fields = ["roll_year", "land_value", "building_value", "total_value", "use_code"]


@admin.register(Property)
class PropertyAdmin(MapAdmin):
    list_display = ["matricule", "__str__"]
    search_fields = ["matricule", "addresses__label", "lots"]
    inlines = [CivicAddressInline, RollEntryInline]


@admin.register(Parcel)
class ParcelAdmin(MapAdmin):
    search_fields = ["lot_number"]


@admin.register(UseCode)
class UseCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "label_fr", "label_en"]
    search_fields = ["code", "label_fr"]
