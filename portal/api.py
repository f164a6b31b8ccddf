"""The citizen's dashboard in the API (`/api/me/`), for the site (session) or an app (token)."""
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import permissions, serializers
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.response import Response
from rest_framework.views import APIView

from collections_schedule.serializers import StreamScheduleSerializer, WateringAnswerSerializer
from core.access_log import log_access
from core.models import AccessLog
from leisure.serializers import LeisureLineSerializer
from library.serializers import LibraryLineSerializer

from .selectors import dashboard


class RollSerializer(serializers.Serializer):
    roll_year = serializers.IntegerField()
    total_value = serializers.IntegerField(allow_null=True)
    land_value = serializers.IntegerField(allow_null=True)
    building_value = serializers.IntegerField(allow_null=True)


class TaxSummarySerializer(serializers.Serializer):
    balance = serializers.DecimalField(max_digits=12, decimal_places=2)
    next_due_on = serializers.DateField(allow_null=True)
    next_amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    overdue = serializers.BooleanField()


class CardSerializer(serializers.Serializer):
    link_id = serializers.UUIDField(source="link.pk")
    property_id = serializers.IntegerField(source="link.property_id")
    matricule = serializers.CharField(source="link.property.matricule")
    role = serializers.CharField(source="link.role")
    address = serializers.CharField()
    roll = RollSerializer(allow_null=True)
    collections = StreamScheduleSerializer(many=True)
    watering = WateringAnswerSerializer(many=True)
    taxes = TaxSummarySerializer(allow_null=True)


class HouseholdSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    birth_year = serializers.IntegerField()


class PendingSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    matricule = serializers.CharField(source="property.matricule")
    status = serializers.CharField()
    reason = serializers.CharField()


class RequestSummarySerializer(serializers.Serializer):
    number = serializers.IntegerField(source="pk")
    id = serializers.UUIDField(source="public_id")
    category = serializers.CharField(source="category.code")
    category_name = serializers.CharField(source="category.name")
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    channel = serializers.CharField()
    address = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    expected_on = serializers.DateField(allow_null=True)
    mine = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()

    def get_mine(self, obj) -> bool:
        return obj.reporter_id == self.context["user"].pk

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_history(self, obj):
        """Public events only: internal notes never leave the staff's pages."""
        return [{"at": e.at, "status": e.to_status, "note": e.note}
                for e in obj.events.all() if e.public]


class DashboardSerializer(serializers.Serializer):
    email = serializers.EmailField()
    cards = CardSerializer(many=True)
    pending = PendingSerializer(many=True)
    refused = PendingSerializer(many=True)
    household = HouseholdSerializer(many=True)
    requests = RequestSummarySerializer(many=True)
    library = LibraryLineSerializer(many=True)
    leisure = LeisureLineSerializer(many=True)
    leisure_fees_due = serializers.DecimalField(
        max_digits=10, decimal_places=2,
        help_text="The total of the registered activities' fees (an offer owes nothing yet).")


class MeView(APIView):
    """My dashboard: properties (roll, next collections, watering, taxes), household, requests,
    library cards, leisure registrations."""

    authentication_classes = [SessionAuthentication, TokenAuthentication]
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=DashboardSerializer)
    def get(self, request):
        data = {"email": request.user.email,
                **dashboard(request.user, timezone.localtime(), session=request.session)}
        log_access(request, subject=request.user, action=AccessLog.Action.VIEW,
                   record="dashboard")
        return Response(DashboardSerializer(data, context={"user": request.user}).data)


