"""Admin: the request categories with their questions and departments (data, FR/EN), the
Open311 clients (revoke a key by unticking "active"), and a read-only view of the requests
(they change through the clerks' pages, so that every change is an event in their history)."""
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin

from .models import ApiClient, Category, Department, Question, ServiceRequest


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name_fr", "name_en", "email"]


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 0
    fields = ["code", "kind", "required", "label_fr", "label_en", "help_fr", "help_en",
              "choices", "sort_order"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name_fr", "name_en", "department", "target_days", "active",
                    "sort_order"]
    list_filter = ["department", "active"]
    list_editable = ["active", "sort_order"]
    inlines = [QuestionInline]


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ["name", "active", "created_at"]
    list_editable = ["active"]
    fields = ["name", "active", "created_at"]
    readonly_fields = ["created_at"]

    def has_add_permission(self, request):
        return False  # keys are made by `manage.py create_open311_key`, shown once


@admin.register(ServiceRequest)
class ServiceRequestAdmin(ReadOnlyAdmin):
    list_display = ["pk", "category", "status", "channel", "submitted_at", "staff_page"]
    list_filter = ["status", "channel", "category", "department"]
    date_hierarchy = "submitted_at"
    # No personal field here: who asked is seen on the clerks' page, where it is logged.
    fields = ["category", "department", "status", "channel", "address", "description",
              "submitted_at", "closed_at", "expected_on", "staff_page"]
    readonly_fields = fields

    @admin.display(description=_("clerks' page"))
    def staff_page(self, obj):
        return format_html('<a href="{}">#{}</a>',
                           reverse("requests_staff:detail", args=[obj.pk]), obj.pk)
