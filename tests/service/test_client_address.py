"""The client's address behind trusted proxies (web/client_address.py).

What a limit "per client" counts must be the client, not the proxy in front of the
service, and a client must not be able to choose its own address by sending the
header a proxy would. ``tests/deploy/test_behind_nginx.py`` checks the same through
the real nginx of deploy/.
"""

from __future__ import annotations

import html

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from pytest_django import Settings

from tests.django_fixtures import fresh_cache  # noqa: F401
from tests.factories import PASSWORD, user_make
from web.client_address import client_address, trusted_networks_parse

LOOPBACK = trusted_networks_parse(["127.0.0.1", "::1"])
BALANCERS = trusted_networks_parse(["127.0.0.1", "10.0.0.0/8"])


@pytest.mark.parametrize(
    ("remote", "forwarded", "trusted", "client"),
    [
        # nginx on the machine appends the client it saw.
        ("127.0.0.1", "203.0.113.7", LOOPBACK, "203.0.113.7"),
        # Whatever the client wrote itself sits left of that, and is ignored.
        ("127.0.0.1", "198.51.100.1, 203.0.113.7", LOOPBACK, "203.0.113.7"),
        ("127.0.0.1", "127.0.0.1, 203.0.113.7", LOOPBACK, "203.0.113.7"),
        # Through a load balancer and nginx: skip every trusted hop from the right.
        ("127.0.0.1", "198.51.100.1, 203.0.113.7, 10.1.2.3", BALANCERS, "203.0.113.7"),
        # A request that does not come from a trusted proxy keeps its own address.
        ("203.0.113.9", "198.51.100.1", LOOPBACK, "203.0.113.9"),
        # No proxies configured (make run): the header means nothing.
        ("127.0.0.1", "198.51.100.1", (), "127.0.0.1"),
        # From a proxy but without the header: the proxy is all we know.
        ("127.0.0.1", None, LOOPBACK, "127.0.0.1"),
        ("127.0.0.1", "", LOOPBACK, "127.0.0.1"),
        # Only trusted hops: the left-most of them made the request.
        ("127.0.0.1", "10.9.9.9, 10.1.2.3", BALANCERS, "10.9.9.9"),
        # Garbage from a trusted proxy: nothing left of it is believed.
        ("127.0.0.1", "198.51.100.1, not-an-address", LOOPBACK, "127.0.0.1"),
        ("127.0.0.1", "198.51.100.1, not-an-address, 10.1.2.3", BALANCERS, "10.1.2.3"),
        # IPv6, ports and IPv4 written as IPv6.
        ("::1", "2001:db8::7", LOOPBACK, "2001:db8::7"),
        ("::1", "[2001:db8::7]:4711", LOOPBACK, "2001:db8::7"),
        ("127.0.0.1", "203.0.113.7:4711", LOOPBACK, "203.0.113.7"),
        ("::ffff:127.0.0.1", "203.0.113.7", LOOPBACK, "203.0.113.7"),
        ("127.0.0.1", "::ffff:203.0.113.7", LOOPBACK, "203.0.113.7"),
    ],
)
def test_client_address(remote: str, forwarded: str | None, trusted: tuple, client: str) -> None:
    assert client_address(remote, forwarded, trusted) == client


def test_a_misspelt_trusted_proxy_stops_the_service_from_starting() -> None:
    with pytest.raises(ImproperlyConfigured, match=r"TRUSTED_PROXIES: '10\.0\.0\.0/33'"):
        trusted_networks_parse(["127.0.0.1", "10.0.0.0/33"])


def _failed_log_in(client: Client, forwarded_for: str) -> str:
    response = client.post(
        "/accounts/login/",
        {"login": "nobody@example.com", "password": "guess"},
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )
    return html.unescape(response.content.decode())


@pytest.mark.django_db
def test_log_in_limits_count_each_client_behind_the_proxy(
    settings: Settings,
    fresh_cache: str,  # noqa: F811
) -> None:
    """Ten wrong passwords from one client behind nginx lock out that client, not everyone."""
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "3/m/ip"}
    user_make("grace@example.com")
    proxy = Client(REMOTE_ADDR="127.0.0.1")
    for _ in range(3):
        assert "Too many" not in _failed_log_in(proxy, "203.0.113.7")
    # The same client, even when it puts another address in front of the header.
    assert "Too many failed login attempts" in _failed_log_in(proxy, "203.0.113.7")
    assert "Too many failed login attempts" in _failed_log_in(proxy, "198.51.100.1, 203.0.113.7")

    other = proxy.post(
        "/accounts/login/",
        {"login": "grace@example.com", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.8",
    )

    assert other.status_code == 302 and other["Location"] == "/notebooks/"


@pytest.mark.django_db
def test_a_client_that_is_not_a_proxy_cannot_pick_its_address(
    settings: Settings,
    fresh_cache: str,  # noqa: F811
) -> None:
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "2/m/ip"}
    direct = Client(REMOTE_ADDR="203.0.113.50")
    for number in range(2):
        _failed_log_in(direct, f"198.51.100.{number}")

    assert "Too many failed login attempts" in _failed_log_in(direct, "198.51.100.99")


@pytest.mark.django_db
def test_sign_up_limits_count_each_client_behind_the_proxy(
    settings: Settings,
    fresh_cache: str,  # noqa: F811
) -> None:
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "1/h/ip"}

    def sign_up(email: str, client_ip: str) -> int:
        form = {"email": email, "password1": PASSWORD, "password2": PASSWORD}
        response = Client(REMOTE_ADDR="127.0.0.1").post(
            "/accounts/signup/", form, HTTP_X_FORWARDED_FOR=client_ip
        )
        return response.status_code

    assert sign_up("first@example.com", "203.0.113.7") == 302
    assert sign_up("second@example.com", "203.0.113.7") == 429
    assert sign_up("third@example.com", "203.0.113.8") == 302
