"""Staff's views of the citizens' data. The access log is read-only: nobody edits history."""
from django.contrib import admin

from .models import AccessLog, HouseholdMember, PropertyLink, TaxBill, TaxInstalment, TaxPayment


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "actor_is_staff", "action", "subject", "record"]
    list_filter = ["action", "actor_is_staff"]
    search_fields = ["actor__email", "subject__email", "record"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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


class TaxInstalmentInline(admin.TabularInline):
    model = TaxInstalment
    extra = 0


class TaxPaymentInline(admin.TabularInline):
    model = TaxPayment
    extra = 0


@admin.register(TaxBill)
class TaxBillAdmin(admin.ModelAdmin):
    """Bills come from the tax system's import: shown, not edited here."""
    list_display = ["bill_number", "year", "property", "amount"]
    list_filter = ["year"]
    search_fields = ["bill_number", "property__matricule"]
    raw_id_fields = ["property"]
    inlines = [TaxInstalmentInline, TaxPaymentInline]

    def has_change_permission(self, request, obj=None):
        return False
