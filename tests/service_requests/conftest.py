"""The request tests' shared fixtures: the citizens' (signed-up citizens, the live SMTP sink),
the demo's pothole category, a demo home, an Open311 api_key."""
from pathlib import Path

import pytest

from service_requests.importers.categories import load_categories
from service_requests.models import Category
from service_requests.open311.keys import create_client
from tests.citizens.conftest import make_citizen, smtp_sink  # noqa: F401 (fixtures)

CATEGORIES = Path(__file__).parents[2] / "data" / "pincourt" / "request-categories.json"


@pytest.fixture
def pothole():
    if not Category.objects.filter(code="nid-de-poule").exists():
        load_categories(CATEGORIES)
    return Category.objects.get(code="nid-de-poule")


@pytest.fixture
def home():
    from properties.models import Property

    return Property.objects.exclude(address_point=None).exclude(addresses=None).order_by("pk")[5]


@pytest.fixture
def api_key():
    return create_client(name="App citoyenne")[1]
