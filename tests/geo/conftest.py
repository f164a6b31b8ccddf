import pytest


@pytest.fixture
def no_leisure_groups(db):
    """The demo's leisure groups meet at OSM places, which an import never retires from under
    them (tests/leisure/test_import.py). Tests that import a small extract over the whole town,
    forced, start without them (the test's transaction puts them back)."""
    from leisure.models import Group

    Group.objects.all().delete()
