"""The demo's sample requests: generated through the real services, inside the territory, with
honest histories, the same on every load, and loaded once."""
import pytest
import shapely

from demo.sample_requests import SAMPLE_SIZE, load_sample_requests
from geo.models import Territory
from service_requests.models import ServiceRequest

pytestmark = pytest.mark.django_db


def test_sample_requests_are_inside_the_town_and_loaded_once(client):
    load_sample_requests()
    requests = list(ServiceRequest.objects.prefetch_related("events"))
    assert len(requests) == SAMPLE_SIZE
    town = shapely.from_wkb(bytes(Territory.objects.get().geom.wkb))
    assert all(town.covers(shapely.Point(r.location.x, r.location.y)) for r in requests)
    assert {r.status for r in requests} >= {"submitted", "resolved"}
    for r in requests:  # each status change is in the history, in order
        steps = [e.to_status for e in r.events.all()]
        assert steps[-1] == r.status
    before = sorted((r.pk, r.category_id, r.status) for r in requests)
    assert load_sample_requests().startswith("requests already present")
    assert sorted(ServiceRequest.objects.values_list("pk", "category_id", "status")) == before
    # Nothing personal reaches the public list.
    page = client.get("/signalements/", {"status": ["open", "closed"]}).content.decode()
    assert "demo-clerk" not in page and "Démonstration" not in page
    from service_requests.selectors import public_queryset

    shown = public_queryset().count()
    assert 0 < shown < SAMPLE_SIZE  # the noise complaints (a private category) are not public
    assert page.count('href="/signalements/') >= min(shown, 50) - 1

