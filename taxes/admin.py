from django.contrib import admin

from .models import TaxBill, TaxInstalment, TaxPayment


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
