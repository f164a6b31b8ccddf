"""Staff's views of the citizens' data."""
from django.contrib import admin

from .models import HouseholdMember, PropertyLink


@admin.register(PropertyLink)
class PropertyLinkAdmin(admin.ModelAdmin):
    """Read-only: approving, refusing and unlinking go through the clerks' pages, which check
    the rules and write the access log."""
    list_display = ["user", "property", "role", "status", "method", "requested_at"]
    list_filter = ["status", "role", "method"]
    search_fields = ["user__email", "property__matricule"]
    raw_id_fields = ["property"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(HouseholdMember)
class HouseholdMemberAdmin(admin.ModelAdmin):
    list_display = ["first_name", "last_name", "birth_year", "user"]
    search_fields = ["last_name", "user__email"]
