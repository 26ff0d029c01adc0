"""The documented production layout, for real: clients -> nginx (deploy/nginx.conf) -> gunicorn.

Behind nginx every request reaches Django from 127.0.0.1. Limits per client must
still count each client (web/client_address.py): here clients connect to
nginx from different loopback addresses, exactly as different machines would
reach a real nginx, and the service runs on production settings with PostgreSQL,
Redis and S3.
"""

from __future__ import annotations

import html
import http.client
import os
import random
import re
import ssl
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest

from tests.deploy.nginx import APP_HOST, USERCONTENT_HOST, RunningNginx, nginx
from tests.production_stack import (
    REPO_ROOT,
    fresh_database,
    gunicorn,
    migrate,
    postgres_server,
    redis_server,
    server_env,
)

pytestmark = pytest.mark.subprocess

EMAIL = "ada@example.com"
PASSWORD = "a-long-and-unusual-passphrase-42"
# The Redis database of these servers (the tests' own use 9, bench/http.py 8).
REDIS_DB = 7
_MAKE_USER = f"""
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
user = get_user_model().objects.create_user(username="ada", email="{EMAIL}", password="{PASSWORD}")
EmailAddress.objects.create(user=user, email="{EMAIL}", verified=True, primary=True)
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningNginx]:
    workdir = tmp_path_factory.mktemp("behind-nginx")
    dist = workdir / "dist"
    dist.mkdir()
    with (
        postgres_server() as server_url,
        fresh_database(server_url, f"playground_nginx_{os.getpid()}") as database_url,
        redis_server(REDIS_DB) as redis_url,
    ):
        env = server_env(
            settings_module="playground.settings.production",
            database_url=database_url,
            redis_url=redis_url,
            s3_endpoint=os.environ["S3_ENDPOINT_URL"],
            s3_bucket=os.environ["S3_BUCKET"],
            workdir=workdir,
            dist=dist,
            app_origin=f"https://{APP_HOST}",
            usercontent_origin=f"https://{USERCONTENT_HOST}",
        )
        migrate(env)
        subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", _MAKE_USER],
            cwd=REPO_ROOT, env=env, check=True, capture_output=True, timeout=120,
        )
        with gunicorn(env, workdir) as app, nginx(
            http_upstream=app.port, prefix=workdir / "nginx"
        ) as running:
            yield running


def _loopback_addresses(count: int) -> list[str]:
    """Distinct client addresses, new each run: Redis keeps rate-limit counts for minutes."""
    chosen: set[str] = set()
    while len(chosen) < count:
        chosen.add(f"127.{random.randint(1, 254)}.{random.randint(0, 255)}.{random.randint(1, 254)}")
    return sorted(chosen)


@dataclass
class Browser:
    """One client machine: its own address, its own cookies, HTTPS to nginx."""

    site: RunningNginx
    address: str
    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self, method: str, path: str, *, form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None, host: str = APP_HOST,
    ) -> tuple[int, dict[str, str], str]:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # the test's self-signed certificate
        connection = http.client.HTTPSConnection(
            "127.0.0.1", self.site.https_port, context=context, timeout=60,
            source_address=(self.address, 0),
        )
        sent = {"Host": host, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Referer"] = f"https://{host}{path}"
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            text = response.read().decode(errors="replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return response.status, {k.lower(): v for k, v in response.getheaders()}, text
        finally:
            connection.close()

    def log_in(self, email: str, password: str, *, headers: dict[str, str] | None = None
               ) -> tuple[int, dict[str, str], str]:
        _, _, page = self.request("GET", "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, page[:2000]
        return self.request(
            "POST", "/accounts/login/",
            form={"csrfmiddlewaretoken": token[1], "login": email, "password": password},
            headers=headers,
        )


TOO_MANY = "Too many failed login attempts"


def test_failed_log_ins_lock_out_the_client_that_made_them_not_everyone(site: RunningNginx) -> None:
    guesser_address, other_address = _loopback_addresses(2)
    guesser = Browser(site, guesser_address)
    # allauth's limit: 10 failed log-ins a minute per client address (5 per account,
    # so each guess names another account).
    for number in range(10):
        status, _, page = guesser.log_in(f"guess{number}@example.com", "wrong")
        assert status == 200 and TOO_MANY not in html.unescape(page), number

    _, _, locked = guesser.log_in("guess10@example.com", "wrong")
    # Claiming to be someone else in the proxy's header changes nothing.
    _, _, still_locked = guesser.log_in(
        "guess11@example.com", "wrong", headers={"X-Forwarded-For": other_address}
    )
    status, headers, _ = Browser(site, other_address).log_in(EMAIL, PASSWORD)

    assert TOO_MANY in html.unescape(locked)
    assert TOO_MANY in html.unescape(still_locked)
    assert (status, headers.get("location")) == (302, "/notebooks/")


def test_https_is_enforced_for_a_year(site: RunningNginx) -> None:
    browser = Browser(site, _loopback_addresses(1)[0])

    status, headers, _ = browser.request("GET", "/healthz")
    plain = http.client.HTTPConnection("127.0.0.1", site.http_port, timeout=30)
    plain.request("GET", "/notebooks/", headers={"Host": APP_HOST})
    redirect = plain.getresponse()

    assert status == 200
    assert headers["strict-transport-security"] == "max-age=31536000"
    assert redirect.status == 301
    assert redirect.getheader("Location") == f"https://{APP_HOST}/notebooks/"


def test_the_admin_has_no_password_form_of_its_own(site: RunningNginx) -> None:
    browser = Browser(site, _loopback_addresses(1)[0])

    status, headers, _ = browser.request("GET", "/admin/login/?next=/admin/")

    assert status == 302
    assert headers["location"] == "/accounts/login/?next=%2Fadmin%2F"


def test_the_user_content_site_is_served_through_the_same_nginx(site: RunningNginx) -> None:
    status, _, text = Browser(site, _loopback_addresses(1)[0]).request(
        "GET", "/accounts/login/", host=USERCONTENT_HOST
    )

    assert status == 404 and "login" not in text.lower()

