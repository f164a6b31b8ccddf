"""The public reports layer (/api/reports/): the GeoJSON its fast path writes is the one the
documented ReportSerializer describes, with coordinates pyproj agrees with, and paging and
filters work on it."""
import datetime as dt
import json

import pytest
from django.conf import settings
from django.urls import reverse
from pyproj import Transformer

from demo.sample_requests import load_sample_requests
from service_requests.api import ReportSerializer, ReportViewSet
from service_requests.models import ServiceRequest
from service_requests.selectors import public_queryset

pytestmark = pytest.mark.django_db
TO_WGS84 = Transformer.from_crs(settings.GUICHET_SRID, 4326, always_xy=True)


@pytest.fixture
def reports():
    load_sample_requests()
    ServiceRequest.objects.filter(pk__in=ServiceRequest.objects.order_by("pk")
                                  .values("pk")[:5]).update(expected_on=dt.date(2027, 1, 15))
    # What the public may see: not the private categories' (noise), nor what a caller did not
    # agree to show; the sample has both kinds.
    public = public_queryset().order_by("pk")
    assert 0 < public.count() < ServiceRequest.objects.count()
    return public


def test_the_layer_is_what_its_serializer_documents(client, reports):
    response = client.get(reverse("report-list"), {"status": ["open", "closed"],
                                                   "page_size": 1000})
    assert response.status_code == 200
    layer = response.json()
    assert layer["count"] == reports.count() and len(layer["features"]) == reports.count()
    documented = ReportSerializer(ReportViewSet.queryset, many=True).data["features"]
    assert layer["features"] == json.loads(json.dumps(documented))
    for feature in layer["features"]:
        stored = reports.get(pk=feature["id"]).shown_location  # at the street for some
        lon, lat = TO_WGS84.transform(stored.x, stored.y)
        assert abs(feature["geometry"]["coordinates"][0] - lon) < 1e-6
        assert abs(feature["geometry"]["coordinates"][1] - lat) < 1e-6
    assert any(f["properties"]["expected_on"] == "2027-01-15" for f in layer["features"])


def test_pages_and_filters(client, reports):
    first = client.get(reverse("report-list"), {"status": "closed", "page_size": 5}).json()
    closed = reports.exclude(status__in=ServiceRequest.OPEN)
    assert first["count"] == closed.count() > 5 and len(first["features"]) == 5
    second = client.get(first["next"]).json()
    ids = [f["id"] for f in first["features"] + second["features"]]
    newest = list(closed.order_by("-submitted_at", "-pk").values_list("pk", flat=True))
    assert ids == newest[:len(ids)]
    # A category is any code (as documented): an unknown one matches no report.
    unknown = client.get(reverse("report-list"), {"category": "volcan"})
    assert unknown.status_code == 200 and unknown.json()["count"] == 0
