"""What every e-mail the site writes says of where it comes from (issue 14): the town's name and
the site's public address (GUICHET_SITE_URL), in core/email/signature.txt, which each message
body includes (tests/test_email_signature.py checks that they all do)."""
from django.conf import settings


def signature_context() -> dict:
    return {"municipality": settings.GUICHET_MUNICIPALITY_NAME,
            "site_url": settings.GUICHET_SITE_URL}
