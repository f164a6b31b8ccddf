"""The access log in the admin: read-only, nobody edits history."""
from django.contrib import admin

from .models import AccessLog


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records the admin shows and never edits: history (the access log, a request's past) is
    written by the services that check the rules, not by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "actor_is_staff", "action", "subject", "record"]
    list_filter = ["action", "actor_is_staff"]
    search_fields = ["actor__email", "subject__email", "record"]
    date_hierarchy = "at"
