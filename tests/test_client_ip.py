"""The client's address: the connection's unless trusted proxies say otherwise. A header anyone
can send must not choose the key of a throttle (issue 11: 50 guesses behind 50 forged headers)."""
from django.test import RequestFactory, override_settings

from core.http import client_ip

FORGED = {"HTTP_X_FORWARDED_FOR": "203.0.113.9", "REMOTE_ADDR": "198.51.100.7"}


def test_without_a_trusted_proxy_the_header_is_ignored():
    assert client_ip(RequestFactory().get("/", **FORGED)) == "198.51.100.7"


@override_settings(GUICHET_TRUSTED_PROXIES=1)
def test_behind_one_proxy_the_address_it_saw_counts_not_what_the_client_wrote():
    # The client forged the first entry; our proxy appended the address it saw.
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="203.0.113.9, 192.0.2.44",
                                   REMOTE_ADDR="10.0.0.2")
    assert client_ip(request) == "192.0.2.44"


def test_drf_throttles_read_the_same_setting():
    from rest_framework.settings import api_settings

    assert api_settings.NUM_PROXIES == 0
