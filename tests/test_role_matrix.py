"""Issue 11, privacy by role: one property, its owner, an occupant, a citizen who follows the
owner's request, a clerk and a visitor, against every page that shows the owner's personal data
or the staff's tools. Each role gets the page, a 404 (someone else's record: its existence is
not confirmed), a 403 (a staff tool) or the sign-in page, and nothing else."""
import pytest
from django.urls import reverse

from citizens.models import PropertyLink
from properties.models import Property
from service_requests import services
from service_requests.models import Category
from tests.service_requests.conftest import CATEGORIES

pytestmark = pytest.mark.django_db

OK, HIDDEN, STAFF_ONLY, SIGN_IN = 200, 404, 403, 302


@pytest.fixture
def cast(django_user_model):
    from service_requests.importers.categories import load_categories

    if not Category.objects.filter(code="nid-de-poule").exists():
        load_categories(CATEGORIES)
    prop = Property.objects.exclude(address_point=None).order_by("pk")[20]

    def person(name, **extra):
        return django_user_model.objects.create_user(
            username=name, email=f"{name}@example.org", password="x-Mot-De-Passe-2026", **extra)

    owner, occupant, follower = person("proprio"), person("locataire"), person("voisine")
    clerk = person("commis", is_staff=True)
    owner_link = PropertyLink.objects.create(user=owner, property=prop, role="owner",
                                             status="verified", method="code")
    occupant_link = PropertyLink.objects.create(user=occupant, property=prop, role="occupant",
                                                status="verified", method="clerk")
    pothole = Category.objects.get(code="nid-de-poule")
    request = services.submit_request(
        category=pothole, point=prop.address_point, description="Trou devant chez moi",
        user=owner, contact_phone="514-555-0199",
        answers={q.code: q.choices[0]["key"] if q.choices else "1"
                 for q in pothole.questions.filter(required=True)})
    services.follow(request=request, user=follower)
    return {"owner": owner, "occupant": occupant, "follower": follower, "clerk": clerk,
            "visitor": None}, owner_link, occupant_link, request


def expectations(owner_link, occupant_link, request):
    """{url: {role: status}} for every role."""
    own = {"owner": OK, "occupant": HIDDEN, "follower": HIDDEN, "clerk": HIDDEN,
           "visitor": SIGN_IN}
    staff = {"owner": STAFF_ONLY, "occupant": STAFF_ONLY, "follower": STAFF_ONLY, "clerk": OK,
             "visitor": SIGN_IN}
    return {
        reverse("portal:tax_account", args=[owner_link.pk]): own,
        reverse("citizens:link_detail", args=[owner_link.pk]): own,
        reverse("service_requests:mine_detail", args=[request.public_id]): own,
        # An update: whoever reported or follows it (issue 14), nobody else.
        reverse("service_requests:update", args=[request.pk]): {**own, "follower": OK},
        # The occupant's own link is theirs; its tax page is not, unless the owner grants it.
        reverse("citizens:link_detail", args=[occupant_link.pk]):
            {**own, "owner": HIDDEN, "occupant": OK},
        reverse("portal:tax_account", args=[occupant_link.pk]): {**own, "owner": HIDDEN},
        reverse("requests_staff:detail", args=[request.pk]): staff,
        reverse("requests_staff:queue"): staff,
        reverse("citizens_staff:links"): staff,
        reverse("alerts_staff:list"): staff,
        reverse("collections_staff:zone_sets"): staff,
        # The leisure desk needs its own permission too: a clerk without it gets 403.
        reverse("leisure_staff:groups"): {**staff, "clerk": STAFF_ONLY},
    }


def test_each_role_sees_only_what_is_its_own(client, cast):
    people, owner_link, occupant_link, request = cast
    wrong = []
    for url, wanted in expectations(owner_link, occupant_link, request).items():
        for role, status in wanted.items():
            client.logout()
            if people[role] is not None:
                client.force_login(people[role])
            got = client.get(url).status_code
            if got != status:
                wrong.append((url, role, got, status))
    assert wrong == []


def test_personal_details_never_reach_another_role(client, cast):
    """The owner's phone and the request's text appear on the owner's and the clerk's pages
    only; the follower sees the public facts of the request, not who asked."""
    people, _owner_link, _occupant_link, request = cast
    public = reverse("service_requests:public_detail", args=[request.pk])
    for role in ("occupant", "follower", "visitor"):
        client.logout()
        if people[role] is not None:
            client.force_login(people[role])
        for url in (public, reverse("portal:dashboard"), reverse("service_requests:mine")):
            page = client.get(url, follow=True).content.decode()
            assert "514-555-0199" not in page and "proprio@example.org" not in page, (role, url)
    client.force_login(people["clerk"])
    staff_page = client.get(reverse("requests_staff:detail", args=[request.pk])).content.decode()
    assert "514-555-0199" in staff_page
