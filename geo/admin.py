from django.contrib import admin

from core.maps_admin import MapAdmin

from .models import AddressPoint, Place, PlaceCategory, Street, Territory


@admin.register(Territory)
class TerritoryAdmin(MapAdmin):
    list_display = ["name", "code"]


@admin.register(PlaceCategory)
class PlaceCategoryAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_fr", "name_en", "color", "sort_order"]
    list_editable = ["sort_order"]


@admin.register(Place)
class PlaceAdmin(MapAdmin):
    list_display = ["__str__", "category", "address", "source"]
    list_filter = ["category", "source"]
    search_fields = ["name", "address", "source_id"]


@admin.register(Street)
class StreetAdmin(MapAdmin):
    list_display = ["name", "kind"]
    search_fields = ["name"]


@admin.register(AddressPoint)
class AddressPointAdmin(MapAdmin):
    list_display = ["civic_number", "street", "city"]
    search_fields = ["street", "civic_number"]
