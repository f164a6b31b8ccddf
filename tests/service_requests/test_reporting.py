"""A citizen reports a problem on the site: by a map point or an address, with the category's
questions; bad input is refused with a clear message and saves nothing; a visitor without an
account confirms by e-mail (a real SMTP conversation) and is rate limited; open reports nearby
are offered first; the reporter and followers hear of public changes only."""
import io
import re
from pathlib import Path

import pytest
import shapely
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from PIL import Image
from pyproj import Transformer

from service_requests import services
from service_requests.importers.categories import load_categories
from service_requests.models import Category, Follower, ServiceRequest
from tests.citizens.conftest import make_citizen, smtp_sink  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
CATEGORIES = Path(__file__).parents[2] / "data" / "pincourt" / "request-categories.json"
TO_WGS84 = Transformer.from_crs(settings.GUICHET_SRID, 4326, always_xy=True)
FROM_WGS84 = Transformer.from_crs(4326, settings.GUICHET_SRID, always_xy=True)


@pytest.fixture
def pothole():
    if not Category.objects.filter(code="nid-de-poule").exists():
        load_categories(CATEGORIES)
    return Category.objects.get(code="nid-de-poule")


def fr(message):
    with translation.override("fr"):
        return gettext(message)


def lonlat(prop):
    """The property's address point in WGS 84, by pyproj (not by the site's code)."""
    return TO_WGS84.transform(prop.address_point.x, prop.address_point.y)


@pytest.fixture
def home():
    from properties.models import Property

    return Property.objects.exclude(address_point=None).exclude(addresses=None).order_by("pk")[5]


def details_url(category, lon=None, lat=None, address=None):
    params = f"?category={category.code}"
    if lon is not None:
        params += f"&lon={lon:.7f}&lat={lat:.7f}"
    if address:
        params += f"&address={address}"
    return reverse("service_requests:report_details") + params


def post_report(client, url, **extra):
    data = {"description": "Un trou profond devant le 12", "q_taille": "moyen", **extra}
    return client.post(url, data)


def test_a_signed_in_citizen_reports_at_a_map_point(client, make_citizen, pothole, home):  # noqa: F811
    alice = make_citizen("alice@example.org")
    client.force_login(alice)
    lon, lat = lonlat(home)
    step1 = client.get(reverse("service_requests:report"),
                       {"category": pothole.code, "lon": lon, "lat": lat})
    assert step1.status_code == 302 and "/signaler/details/" in step1.url
    assert client.get(step1.url).status_code == 200
    response = post_report(client, step1.url)
    report = ServiceRequest.objects.get(reporter=alice)
    assert response.status_code == 302
    assert response.url == reverse("service_requests:mine_detail", args=[report.public_id])
    assert report.confirmed and report.channel == "web" and report.status == "submitted"
    assert report.answers == {"taille": "moyen"}
    assert report.property_id == home.pk
    assert shapely.Point(report.location.x, report.location.y).distance(
        shapely.Point(FROM_WGS84.transform(lon, lat))) < 0.01
    assert [e.kind for e in report.events.all()] == ["created"]
    page = client.get(response.url)
    assert "Un trou profond" in page.content.decode()


def test_an_address_does_what_the_map_does(client, make_citizen, pothole, home):  # noqa: F811
    client.force_login(make_citizen("alice@example.org"))
    label = home.addresses.order_by("pk").first().label
    response = post_report(client, details_url(pothole, address=label))
    assert response.status_code == 302
    report = ServiceRequest.objects.get()
    assert report.address == label
    assert report.location.distance(home.address_point) < 0.5  # metres, same CRS


def test_a_point_outside_the_territory_is_refused_and_nothing_saved(client, make_citizen,  # noqa: F811
                                                                    pothole):
    client.force_login(make_citizen("alice@example.org"))
    url = details_url(pothole, lon=-75.0, lat=45.0)
    assert post_report(client, url).status_code == 400
    page = client.get(url)
    assert page.status_code == 400
    assert fr("This place is outside the municipality: the city can only act on its own "
              "territory.").replace("'", "&#x27;") in page.content.decode()
    assert not ServiceRequest.objects.exists()


def test_an_unknown_address_says_so(client, pothole):
    page = client.get(details_url(pothole, address="99999 rue Inexistante"))
    assert page.status_code == 400
    assert "99999 rue Inexistante" in page.content.decode()


def test_an_unknown_category_is_refused(client, home):
    lon, lat = lonlat(home)
    page = client.get(reverse("service_requests:report_details"),
                      {"category": "volcano", "lon": lon, "lat": lat})
    assert page.status_code == 400
    assert fr("Choose a category.") in page.content.decode()


def test_a_missing_required_answer_is_shown_at_its_question(client, make_citizen,  # noqa: F811
                                                            pothole, home):
    client.force_login(make_citizen("alice@example.org"))
    response = post_report(client, details_url(pothole, *lonlat(home)), q_taille="")
    assert response.status_code == 400
    assert response.context["form"].errors["q_taille"]
    bad = post_report(client, details_url(pothole, *lonlat(home)), q_taille="enorme")
    assert bad.context["form"].errors["q_taille"]
    assert not ServiceRequest.objects.exists()


def test_html_in_the_description_is_kept_as_text(client, make_citizen, pothole, home):  # noqa: F811
    client.force_login(make_citizen("alice@example.org"))
    post_report(client, details_url(pothole, *lonlat(home)),
                description='<script>alert("x")</script><b>Trou</b> profond')
    report = ServiceRequest.objects.get()
    assert "<" not in report.description and "Trou profond" in report.description
    page = client.get(reverse("service_requests:public_detail", args=[report.pk]))
    assert "<script>alert" not in page.content.decode()


def test_an_anonymous_report_waits_for_its_email_confirmation(client, smtp_sink, pothole,  # noqa: F811
                                                              home,
                                                              django_capture_on_commit_callbacks):
    url = details_url(pothole, *lonlat(home))
    assert post_report(client, url).status_code == 400  # the e-mail is required
    with django_capture_on_commit_callbacks(execute=True):
        response = post_report(client, url, contact_email="visiteur@example.org")
    report = ServiceRequest.objects.get()
    assert response.url == reverse("service_requests:report_sent", args=[report.public_id])
    assert not report.confirmed and report.reporter is None
    public = reverse("service_requests:public_detail", args=[report.pk])
    assert client.get(public).status_code == 404
    assert client.get(reverse("report-list")).json()["features"] == [] or all(
        f["id"] != report.pk for f in client.get(reverse("report-list")).json()["features"])

    [link] = smtp_sink.links("visiteur@example.org", "/signaler/confirmer/")
    assert client.get(link.replace("http://127.0.0.1:8000", "")).status_code == 200
    report.refresh_from_db()
    assert report.confirmed
    page = client.get(public)
    assert page.status_code == 200
    assert "visiteur@example.org" not in page.content.decode()


def test_a_wrong_confirmation_link_is_a_404(client):
    url = reverse("service_requests:confirm", args=["00000000-0000-0000-0000-000000000000"])
    assert client.get(url).status_code == 404


def test_anonymous_reports_from_one_address_are_rate_limited(client, settings, pothole, home):
    settings.GUICHET_ANONYMOUS_REPORTS_PER_HOUR = 2
    url = details_url(pothole, *lonlat(home))
    for n in range(2):
        assert post_report(client, url, contact_email=f"v{n}@example.org").status_code == 302
    refused = post_report(client, url, contact_email="v3@example.org")
    assert refused.status_code == 400
    assert ServiceRequest.objects.count() == 2


def _offset(point, metres):
    moved = point.clone()
    moved.x += metres
    return moved


def test_open_reports_nearby_are_offered_and_followed(client, make_citizen, pothole, home):  # noqa: F811
    alice, bob = make_citizen("alice@example.org"), make_citizen("bob@example.org")
    near = services.submit_request(category=pothole, point=_offset(home.address_point, 20),
                                   description="Trou", answers={"taille": "grand"}, user=alice)
    far = services.submit_request(category=pothole, point=_offset(home.address_point, 80),
                                  description="Trou", answers={"taille": "grand"}, user=alice)
    # The 50 m rule, measured independently (shapely, in metres of the same CRS).
    origin = shapely.Point(home.address_point.x, home.address_point.y)
    assert origin.distance(shapely.Point(near.location.x, near.location.y)) <= 50
    assert origin.distance(shapely.Point(far.location.x, far.location.y)) > 50

    client.force_login(bob)
    page = client.get(details_url(pothole, *lonlat(home)))
    offered = set(map(int, re.findall(r'/signalements/(\d+)/suivre/', page.content.decode())))
    assert offered == {near.pk}
    response = client.post(reverse("service_requests:follow", args=[near.pk]))
    assert response.status_code == 302
    assert Follower.objects.filter(request=near, user=bob).exists()
    mine = client.get(reverse("service_requests:mine")).content.decode()
    assert f"#{near.pk}" in mine and f"#{far.pk}" not in mine


def test_following_needs_an_account(client, make_citizen, pothole, home):  # noqa: F811
    report = services.submit_request(category=pothole, point=home.address_point,
                                     description="Trou", answers={"taille": "grand"},
                                     user=make_citizen("alice@example.org"))
    response = client.post(reverse("service_requests:follow", args=[report.pk]))
    assert response.status_code == 302 and "/compte/login/" in response.url
    assert not Follower.objects.exists()


def test_public_changes_are_emailed_to_reporter_and_followers_internal_ones_are_not(
        make_citizen, smtp_sink, pothole, home, django_capture_on_commit_callbacks):  # noqa: F811
    alice, bob = make_citizen("alice@example.org"), make_citizen("bob@example.org")
    clerk = make_citizen("clerk@example.org")
    report = services.submit_request(category=pothole, point=home.address_point,
                                     description="Trou", answers={"taille": "grand"}, user=alice)
    services.follow(request=report, user=bob)
    with django_capture_on_commit_callbacks(execute=True):
        services.add_note(request=report, by=clerk, note="Secret interne", public=False)
    assert smtp_sink.messages == []
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(request=report, status="planned", by=clerk,
                               note="Réparation prévue mardi", public=True)
    for address in ("alice@example.org", "bob@example.org"):
        [message] = smtp_sink.to(address)
        text = smtp_sink.text(message)
        assert "Réparation prévue mardi" in text and "Secret interne" not in text
        assert f"#{report.pk}" in message["Subject"]
    # Each message names one recipient: nobody learns who else follows.
    assert all(len(m.envelope_to) == 1 for m in smtp_sink.messages)


def test_another_citizen_gets_404_on_my_request_and_anonymous_signs_in(
        client, make_citizen, pothole, home):  # noqa: F811
    alice, bob = make_citizen("alice@example.org"), make_citizen("bob@example.org")
    report = services.submit_request(category=pothole, point=home.address_point,
                                     description="Trou", answers={"taille": "grand"}, user=alice,
                                     contact_phone="514-555-0199")
    url = reverse("service_requests:mine_detail", args=[report.public_id])
    assert client.get(url).status_code == 302
    client.force_login(bob)
    assert client.get(url).status_code == 404
    assert f"#{report.pk}" not in client.get(reverse("service_requests:mine")).content.decode()
    public = client.get(reverse("service_requests:public_detail", args=[report.pk]))
    text = public.content.decode()
    assert "alice@example.org" not in text and "514-555-0199" not in text


def _jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (45.0, 22.0, 30.0), 3: "W", 4: (73.0, 59.0, 0.0)}
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_a_photo_is_stored_without_its_location_and_a_pdf_is_refused(
        client, make_citizen, pothole, home, settings, tmp_path):  # noqa: F811
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = str(tmp_path)
    client.force_login(make_citizen("alice@example.org"))
    url = details_url(pothole, *lonlat(home))
    pdf = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    assert post_report(client, url, photos=pdf).status_code == 400
    assert not ServiceRequest.objects.exists()

    photo = SimpleUploadedFile("IMG_0001.jpg", _jpeg_with_gps(), content_type="image/jpeg")
    assert post_report(client, url, photos=photo).status_code == 302
    [stored] = ServiceRequest.objects.get().photos.all()
    assert "IMG_0001" not in stored.image.name
    with stored.image.open("rb") as handle:
        data = handle.read()
    assert not Image.open(io.BytesIO(data)).getexif()
    assert b"Exif" not in data
