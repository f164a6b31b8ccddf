"""The household pages: the signed-in citizen's own members only, every view and change logged."""
import pytest
from django.urls import reverse
from django.utils import timezone

from citizens.models import HouseholdMember
from core.models import AccessLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def lea(make_citizen):
    return make_citizen("lea.menage@example.org")


@pytest.fixture
def member(lea):
    return HouseholdMember.objects.create(user=lea, first_name="Zoé", last_name="Gagnon",
                                          birth_year=2016)


def _logged(user, action, record):
    return AccessLog.objects.filter(subject=user, action=action, record=record).count()


def test_list_shows_own_members_and_is_logged(client, lea, member, make_citizen):
    other = make_citizen("autre.menage@example.org")
    HouseholdMember.objects.create(user=other, first_name="Paul", last_name="Roy",
                                   birth_year=1980)
    client.force_login(lea)
    html = client.get(reverse("citizens:household")).content.decode()
    assert "Zoé Gagnon" in html and "Paul" not in html
    assert reverse("citizens:household_edit", args=[member.pk]) in html
    assert _logged(lea, "view", "household:all") == 1


def test_add_member(client, lea):
    client.force_login(lea)
    assert client.get(reverse("citizens:household_add")).status_code == 200
    response = client.post(reverse("citizens:household_add"),
                           {"first_name": "Noah", "last_name": "Côté", "birth_year": "2020"})
    assert response.status_code == 302 and response["Location"] == reverse("citizens:household")
    added = HouseholdMember.objects.get(user=lea, first_name="Noah")
    assert added.birth_year == 2020
    assert _logged(lea, "change", f"household:{added.pk}") == 1
    assert "Noah Côté" in client.get(response["Location"]).content.decode()  # and the message


@pytest.mark.parametrize("year", ["1899", str(timezone.localdate().year + 1), "deux-mille"])
def test_birth_year_must_be_between_1900_and_this_year(client, lea, year):
    client.force_login(lea)
    response = client.post(reverse("citizens:household_add"),
                           {"first_name": "Ana", "last_name": "Lee", "birth_year": year})
    assert response.status_code == 200
    assert response.context["form"].errors["birth_year"]
    assert not HouseholdMember.objects.filter(user=lea).exists()


@pytest.mark.parametrize("year", ["1900", str(timezone.localdate().year)])
def test_birth_year_bounds_accepted(client, lea, year):
    client.force_login(lea)
    client.post(reverse("citizens:household_add"),
                {"first_name": "Ana", "last_name": "Lee", "birth_year": year})
    assert HouseholdMember.objects.get(user=lea).birth_year == int(year)


def test_edit_member(client, lea, member):
    client.force_login(lea)
    url = reverse("citizens:household_edit", args=[member.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'value="Zoé"' in page.content.decode()
    assert _logged(lea, "view", f"household:{member.pk}") == 1
    response = client.post(url, {"first_name": "Zoé", "last_name": "Gagnon-Roy",
                                 "birth_year": "2016"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.last_name == "Gagnon-Roy"
    assert _logged(lea, "change", f"household:{member.pk}") == 1


def test_delete_member(client, lea, member):
    client.force_login(lea)
    url = reverse("citizens:household_delete", args=[member.pk])
    assert client.get(url).status_code == 200  # a confirmation page; nothing deleted yet
    assert HouseholdMember.objects.filter(pk=member.pk).exists()
    assert client.post(url).status_code == 302
    assert not HouseholdMember.objects.filter(pk=member.pk).exists()
    assert _logged(lea, "delete", f"household:{member.pk}") == 1


def test_someone_elses_member_is_a_404(client, member, make_citizen):
    intruder = make_citizen("intrus@example.org")
    client.force_login(intruder)
    for name in ("citizens:household_edit", "citizens:household_delete"):
        url = reverse(name, args=[member.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"first_name": "X", "last_name": "Y",
                                 "birth_year": "2000"}).status_code == 404
    member.refresh_from_db()
    assert member.first_name == "Zoé"
    assert not AccessLog.objects.filter(record=f"household:{member.pk}").exists()


def test_anonymous_is_sent_to_sign_in(client, member):
    urls = [reverse("citizens:household"), reverse("citizens:household_add"),
            reverse("citizens:household_edit", args=[member.pk]),
            reverse("citizens:household_delete", args=[member.pk])]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login") + "?next=")
    assert client.post(urls[3]).status_code == 302
    assert HouseholdMember.objects.filter(pk=member.pk).exists()
