"""A real SMTP server (aiosmtpd) on a free local port that collects what the site sends, and
signed-up citizens. Only the network boundary is real here: nothing about e-mail is faked."""
import email
import logging
import re
import socket
from email import policy

import pytest
from aiosmtpd.controller import Controller

logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP line
LINK = re.compile(r"https?://[^\s<>\"']+")


class SMTPSink:
    """Messages received over SMTP, parsed with the standard `email` package."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        message.envelope_to = list(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        return [m for m in self.messages if address in m.envelope_to]

    @staticmethod
    def text(message) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()

    def links(self, address: str, containing: str = "") -> list[str]:
        return [link for m in self.to(address) for link in LINK.findall(self.text(m))
                if containing in link]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_sink(settings):
    """Points Django's SMTP backend at a live aiosmtpd server for the test's duration. The
    settings change is global, so a site served from a thread of this process sends there too."""
    sink = SMTPSink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    try:
        yield sink
    finally:
        controller.stop()


@pytest.fixture(autouse=True)
def _fresh_rate_limits(request):
    """allauth counts attempts in the cache: each test starts with none. The cache is a table
    of the test database (CACHE_URL): a test without database access has none to clear, and
    a test's own counts go with its transaction's rollback."""
    from django.core.cache import cache

    names = set(request.fixturenames)
    if not request.node.get_closest_marker("django_db"):
        wanted = [f for f in ("transactional_db", "db") if f in names][:1]
        if not wanted:
            return
        request.getfixturevalue(wanted[0])  # its database access, before the test's fixtures
    cache.clear()


@pytest.fixture
def make_citizen(django_user_model):
    """A citizen whose e-mail address is confirmed (as after following the link)."""
    from allauth.account.models import EmailAddress

    def make(email_address: str, password: str = "x-Citoyenne-2026!"):
        user = django_user_model.objects.create_user(
            username=email_address.split("@")[0], email=email_address, password=password)
        EmailAddress.objects.create(user=user, email=email_address, primary=True, verified=True)
        return user

    return make
