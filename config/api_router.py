"""Every API route, in one place."""
from django.urls import path
from rest_framework.routers import DefaultRouter

from citizens.api import TokenView
from collections_schedule.api import PropertyScheduleView, ZoneViewSet
from geo.api import PlaceCategoryViewSet, PlaceViewSet, StreetViewSet
from leisure.api import ActivityCategoryViewSet, GroupViewSet, SeasonViewSet
from portal.api import MeView
from properties.api import PropertyViewSet
from service_requests.api import ReportViewSet

router = DefaultRouter()
router.register("properties", PropertyViewSet, basename="property")
router.register("places", PlaceViewSet, basename="place")
router.register("categories", PlaceCategoryViewSet, basename="category")
router.register("streets", StreetViewSet, basename="street")
router.register("collection-zones", ZoneViewSet, basename="collection-zone")
router.register("reports", ReportViewSet, basename="report")
router.register("leisure/seasons", SeasonViewSet, basename="leisure-season")
router.register("leisure/categories", ActivityCategoryViewSet, basename="leisure-category")
router.register("leisure/groups", GroupViewSet, basename="leisure-group")

urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    path("auth/token/", TokenView.as_view(), name="auth-token"),
    path("properties/<int:pk>/schedule/", PropertyScheduleView.as_view(),
         name="property-schedule"),
    *router.urls,
]
