"""The citizen's access log reads in plain words, one line per access: "Your household's
members", "Your link to 12 Rue X", never the stored keys ("household:all", "link:<uuid>"), and a
clerk's page that logged the same link several times in a minute is one line. The rows are
stored as they were; the words are made for the page's language. Another citizen's log holds
none of it."""
import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from lxml import html as lxml_html

from core.models import AccessLog
from properties.selectors import address_labels
from tests.citizens.test_privacy import PASSWORD, alice, bob  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-")


def _rows(client, url):
    tree = lxml_html.fromstring(client.get(url).content)
    return [[" ".join(cell.text_content().split()) for cell in row.xpath("th|td")]
            for row in tree.xpath('//table[@data-testid="access-log"]/tbody/tr')]


@pytest.fixture
def logged(client, alice, django_user_model):  # noqa: F811
    """Alice looks at her household three times and her tax account; a clerk looks her
    property's links up three times; all within one minute (pinned: no minute boundary)."""
    user, link, member = alice
    clerk = django_user_model.objects.create_user(username="commis-journal", password=PASSWORD,
                                                  is_staff=True)
    client.force_login(clerk)
    for _ in range(3):
        client.get(reverse("citizens_staff:links"), {"matricule": link.property.matricule})
    client.force_login(user)
    for _ in range(3):
        client.get(reverse("citizens:household"))
    client.get(reverse("citizens:household_edit", args=[member.pk]))
    client.get(reverse("portal:tax_account", args=[link.pk]))
    minute = timezone.now().replace(second=10, microsecond=0) - dt.timedelta(minutes=5)
    AccessLog.objects.filter(subject=user).update(at=minute)
    assert AccessLog.objects.filter(subject=user, record=f"link:{link.pk}").count() >= 3
    return user, link, member


def test_one_line_per_access_in_plain_french(client, logged):
    user, link, member = logged
    address = address_labels([link.property_id])[link.property_id]
    rows = _rows(client, reverse("portal:access_log"))
    whats = [row[3] for row in rows]
    assert whats.count("Les membres de votre ménage") == 1  # three views, one line
    assert whats.count(f"Votre lien au {address}") == 1
    assert whats.count(f"Le compte de taxes du {address}") == 1
    assert "Léa Tremblay, de votre ménage" in whats
    [clerk_row] = [row for row in rows if row[3] == f"Votre lien au {address}"]
    assert clerk_row[1:3] == ["personnel de la Ville", "consulté"]
    page = " ".join(" ".join(row) for row in rows)
    assert "household:" not in page and "link:" not in page and "tax_account:" not in page
    assert not UUID.search(page)
    # The rows themselves are kept as written.
    assert AccessLog.objects.filter(subject=user, record="household:all").count() == 3


def test_the_same_record_in_another_minute_is_another_line(client, logged):
    user, _, _ = logged
    first = AccessLog.objects.filter(subject=user, record="household:all").order_by("pk")[0]
    AccessLog.objects.filter(pk=first.pk).update(at=first.at - dt.timedelta(minutes=3))
    whats = [row[3] for row in _rows(client, reverse("portal:access_log"))]
    assert whats.count("Les membres de votre ménage") == 2


def test_in_english_on_english_pages(client, logged):
    _, link, _ = logged
    address = address_labels([link.property_id])[link.property_id]
    whats = [row[3] for row in _rows(client, "/en" + reverse("portal:access_log"))]
    assert "Your household's members" in whats and f"Your link to {address}" in whats
    assert f"The tax account of {address}" in whats


def test_another_citizen_reads_none_of_it(client, logged, bob):  # noqa: F811
    _, link, _ = logged
    client.force_login(bob)
    rows = _rows(client, reverse("portal:access_log"))
    assert rows == [["Rien pour l'instant."]]


def test_every_kind_of_record_the_apps_write_reads_in_plain_words(alice):  # noqa: F811
    """The records written today (grep log_access): none reads as its stored key."""
    from core.access_log import describe_records

    user, link, member = alice
    records = ["dashboard", "account", "household:all", f"household:{member.pk}",
               "household:00000000-0000-0000-0000-000000000000",
               f"link:{link.pk}", f"tax_account:{link.property_id}", "request:12",
               f"user:{user.pk}", "alerts:subscriptions", "alerts:preferences",
               "alerts:subscription:999999", "alerts:browser:3"]
    words = describe_records(records, user)
    for record in records:
        assert words[record] and words[record] != record, record
        assert ":" not in words[record].split(" ")[0], (record, words[record])
    assert describe_records(["something:new"], user) == {"something:new": "something:new"}
