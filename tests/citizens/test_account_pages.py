"""The account pages (issue 14, points 4 and 5): in the site's form style, and in French they say
"courriel", never "e-mail" or
"email" (allauth's own French says "e-mail": citizens/allauth_words.py puts its sentences in
our catalogue), on the account pages and the citizen's own pages."""
import re

import pytest

pytestmark = pytest.mark.django_db


def _visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    # Attributes a reader meets too: labels, placeholders, titles.
    shown = " ".join(re.findall(r'(?:placeholder|title|aria-label|alt)="([^"]*)"', html))
    return re.sub(r"<[^>]+>", " ", html) + " " + shown


def _english_word(text: str) -> list[str]:
    return sorted(set(re.findall(r"(?i)\be-?mails?\b", text)))


def test_account_pages_say_courriel(client, make_citizen):
    pages = ["/compte/login/", "/compte/signup/", "/compte/password/reset/"]
    found = {p: _english_word(_visible_text(client.get(p).content.decode())) for p in pages}
    client.force_login(make_citizen("courriel@example.org"))
    for path in ["/compte/email/", "/mon-compte/", "/mon-compte/alertes/",
                 "/compte/password/change/"]:
        response = client.get(path)
        assert response.status_code == 200, path
        found[path] = _english_word(_visible_text(response.content.decode()))
    assert {p: w for p, w in found.items() if w} == {}


def test_account_pages_use_the_sites_forms_and_buttons(client):
    for path in ["/compte/login/", "/compte/signup/", "/compte/password/reset/"]:
        html = client.get(path).content.decode()
        form = re.search(r"<form\b[^>]*>", html[html.index("<main"):]).group(0)
        assert 'class="stacked' in form, (path, form)
        assert re.search(r'<button[^>]*type="submit"[^>]*class="primary"', html), path
