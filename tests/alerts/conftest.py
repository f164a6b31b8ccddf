"""Fixtures of the alerts tests: a clerk, a citizen, a topic."""
import pytest


@pytest.fixture
def clerk(django_user_model):
    return django_user_model.objects.create_user(
        username="commis-alertes", password="x-Commis-2025", email="commis@ville.example",
        is_staff=True)


@pytest.fixture
def citizen(django_user_model):
    return django_user_model.objects.create_user(username="citoyen-alertes",
                                                 password="x-Citoyen-2025",
                                                 email="citoyen@courriel.example")


@pytest.fixture
def topic():
    from alerts.models import Topic

    return Topic.objects.get_or_create(code="test-avis", defaults={
        "name_fr": "Avis d'essai", "name_en": "Test notice", "cap_category": "Infra"})[0]
