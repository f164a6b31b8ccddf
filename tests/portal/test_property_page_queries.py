"""What a property page asks the database once the day's cached parts are there: the property
(with the data it annotates, the schedule lookup's answer among them), its addresses, its roll
entries with their use labels, the nearby places, one read of the cache for every cached part
(streams, watering, current alerts, territory outline), and the current alerts' ids reaching
the property (only while some alert is current)."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from properties.models import Property

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_a_warm_property_page_reads_the_cache_once(client, prefix):
    prop = Property.objects.exclude(address_point=None).order_by("pk")[5]
    url = f"{prefix}/propriete/{prop.pk}/"
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    sql = [q["sql"] for q in queries]
    assert sum("guichet_cache" in s for s in sql) == 1, sql
    # Nothing read on its own that comes with another statement or from the cache (the ORM's
    # statements start with their table's first column).
    for table in ("collections_schedule_wateringrule", "collections_schedule_wateringban",
                  "properties_usecode"):
        assert not any(s.startswith(f'SELECT "{table}".') for s in sql), (table, sql)
    assert len(sql) <= 6, sql
