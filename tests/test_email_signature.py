"""Every e-mail names the town and links to the site's public address (issue 14, point 5): the
bodies the site writes include core/email/signature.txt (checked over every e-mail template),
and allauth's messages say so too, their links on GUICHET_SITE_URL whatever host the request
came by (a real SMTP conversation with the sink)."""
import re
from pathlib import Path

import pytest

from tests.citizens.conftest import smtp_sink  # noqa: F401 (fixture)

ROOT = Path(__file__).resolve().parents[1]
# Alert messages write the town and the address themselves, with the one-click unsubscribe.
SIGNED_OTHERWISE = {"alerts/templates/alerts/email/alert.txt",
                    "alerts/templates/alerts/email/digest.txt",
                    "alerts/templates/alerts/email/reminder_footer.txt"}


def _bodies():
    for path in ROOT.glob("*/templates/**/email/*.txt"):
        if (path.name.endswith(("_subject.txt", "_sms.txt")) or ".venv" in path.parts
                or path.name == "signature.txt"):
            continue
        yield path.relative_to(ROOT).as_posix(), path.read_text()


def test_every_e_mail_body_is_signed():
    unsigned = []
    for name, text in _bodies():
        if name in SIGNED_OTHERWISE:
            ok = "{{ municipality }}" in text and "{{ site_url }}" in text
        else:
            ok = ('include "core/email/signature.txt"' in text
                  or 'extends "account/email/base_message.txt"' in text)
        if not ok:
            unsigned.append(name)
    assert unsigned == []


@pytest.mark.django_db
def test_the_sign_up_e_mail_names_the_town_and_links_to_the_public_site(
        client, smtp_sink, settings):  # noqa: F811
    settings.GUICHET_SITE_URL = "https://guichet.ville.example"
    response = client.post("/compte/signup/", {
        "email": "nouvelle@example.org", "password1": "x-Citoyenne-2026!",
        "password2": "x-Citoyenne-2026!"}, HTTP_HOST="localhost")
    assert response.status_code == 302
    [message] = smtp_sink.to("nouvelle@example.org")
    text = smtp_sink.text(message)
    assert settings.GUICHET_MUNICIPALITY_NAME in text
    assert "127.0.0.1" not in text and "localhost" not in text and "example.com" not in text
    links = re.findall(r"https?://\S+", text)
    assert links and all(link.startswith("https://guichet.ville.example") for link in links)
