"""The installable app's server side (core/web_app.py): the manifest in each language, named
after the town set in the settings; the offline page in each language, with nothing of the
visitor's in it; the service worker at /sw.js told what to keep, under a version that changes
with what it keeps (a new offline page reaches the browsers). The browser's side:
tests/e2e/test_installable_app.py."""
import json
import re

import pytest
from django.contrib.staticfiles import finders
from PIL import Image

from core import web_app

pytestmark = pytest.mark.django_db
CONFIG = re.compile(r"^self\.GUICHET_OFFLINE = (.+);$", re.M)


@pytest.fixture
def fresh_precache():
    web_app.offline_precache.cache_clear()
    yield
    web_app.offline_precache.cache_clear()


def _worker_config(client):
    code = client.get("/sw.js").content.decode()
    found = CONFIG.search(code)
    assert code.index('"use strict";\n') + len('"use strict";\n') == found.start()
    return json.loads(found.group(1))


def test_the_manifest_names_the_town_in_the_pages_language(client, settings):
    settings.GUICHET_MUNICIPALITY_NAME = "Saint-Jean-sur-Richelieu"
    french = client.get("/manifest.webmanifest")
    assert french["Content-Type"] == "application/manifest+json"
    data = french.json()
    assert data["name"] == "Guichet Saint-Jean-sur-Richelieu"
    assert data["short_name"] == "Guichet"  # too long under an icon
    assert data["lang"] == "fr" and data["start_url"] == "/"
    assert data["description"].startswith("Les services de la Ville de Saint-Jean-sur-Richelieu")
    english = client.get("/en/manifest.webmanifest").json()
    assert english["lang"] == "en" and english["start_url"] == "/en/"
    assert english["description"].startswith("The city of Saint-Jean-sur-Richelieu's services")
    assert english["id"] == data["id"] == "/" and english["scope"] == "/"


def test_the_icons_are_the_sizes_the_manifest_says():
    for path, sizes, kind, _purpose in web_app.ICONS:
        if kind != "image/png":
            continue
        with Image.open(finders.find(path)) as image:
            assert f"{image.width}x{image.height}" == sizes, path
    with Image.open(finders.find("core/icons/apple-touch-icon.png")) as image:
        assert image.size == (180, 180) and image.mode == "RGB"  # opaque, as iOS wants
    with Image.open(finders.find("core/icons/icon-maskable-512.png")) as image:
        assert image.getpixel((0, 0)) == image.getpixel((511, 511))  # full-bleed


def test_the_pages_link_the_manifest_and_register_the_worker(client):
    for url, manifest in (("/", "/manifest.webmanifest"), ("/en/", "/en/manifest.webmanifest")):
        html = client.get(url).content.decode()
        assert f'<link rel="manifest" href="{manifest}">' in html
        assert '<meta name="theme-color" content="#1e3a8a">' in html
        assert 'data-service-worker="/sw.js"' in html
        assert 'src="/static/core/register-worker.js"' in html


def test_the_offline_page_in_each_language_holds_nothing_of_the_visitor(client,
                                                                        django_user_model):
    user = django_user_model.objects.create_user(username="hors-ligne", password="x-2026-Hors!")
    client.force_login(user)
    french = client.get("/hors-ligne/").content.decode()
    assert '<html lang="fr">' in french and "Vous êtes hors ligne" in french
    english = client.get("/en/hors-ligne/").content.decode()
    assert '<html lang="en">' in english and "You are offline" in english
    for html in (french, english):
        assert "csrfmiddlewaretoken" not in html and "hors-ligne" not in html.split("<main")[1]
        assert "/mon-compte/" not in html  # no menu of the signed-in citizen


def test_the_worker_is_told_what_to_keep(client, fresh_precache):
    config = _worker_config(client)
    assert config["pages"] == {"fr": "/hors-ligne/", "en": "/en/hors-ligne/"}
    assert config["default"] == "fr"
    assert "/static/core/guichet.css" in config["files"]
    for url in [*config["pages"].values(), *config["files"]]:
        assert client.get(url).status_code == 200, url
    # The push part is still there (tests/alerts/test_push.py).
    assert 'addEventListener("push"' in client.get("/sw.js").content.decode()


def test_a_changed_offline_page_is_a_new_worker_version(client, settings, fresh_precache):
    before = _worker_config(client)["version"]
    assert _worker_config(client)["version"] == before  # stable between visits
    settings.GUICHET_MUNICIPALITY_NAME = "Vaudreuil-Dorion"
    web_app.offline_precache.cache_clear()
    assert _worker_config(client)["version"] != before
