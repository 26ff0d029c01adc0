"""Personal API tokens: Bearer auth without CSRF, the session's CSRF check, revocation, storage.

Clients here enforce CSRF like a browser's requests are checked, so "works without
a CSRF token" means exactly that.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone
from pytest_django import Settings

from accounts import services
from accounts.models import ApiToken
from notebooks.models import Notebook
from tests.factories import client_for, notebook_text, user_make
from tests.service.conftest import HOST_SCRIPT, FakeDist

pytestmark = pytest.mark.django_db

CREATE = "/api/notebooks"


def _create(client: Client, **headers: str) -> object:
    body = json.dumps({"title": "From a script", "content": notebook_text()})
    return client.post(CREATE, body, content_type="application/json", **headers)


def test_a_bearer_token_acts_as_its_owner_without_csrf() -> None:
    user = user_make()
    made = services.api_token_create(user=user, name="laptop")
    script = Client(enforce_csrf_checks=True)

    response = _create(script, HTTP_AUTHORIZATION=f"Bearer {made.secret}")

    assert response.status_code == 201, response.content
    assert Notebook.objects.get(public_id=response.json()["id"]).owner == user
    listed = script.get(CREATE, HTTP_AUTHORIZATION=f"Bearer {made.secret}")
    assert [n["title"] for n in listed.json()] == ["From a script"]
    made.token.refresh_from_db()
    assert made.token.last_used_at is not None


def test_a_session_write_without_the_csrf_token_is_refused_with_403() -> None:
    browser = client_for(user_make(), csrf_checks=True)

    response = _create(browser)

    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert "X-CSRFToken" in response.json()["error"]
    assert not Notebook.objects.exists()


def test_a_session_write_with_the_csrf_token_goes_through() -> None:
    browser = client_for(user_make(), csrf_checks=True)
    page = browser.get("/account/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    response = _create(browser, HTTP_X_CSRFTOKEN=token)

    assert response.status_code == 201


def test_reading_with_the_session_needs_no_csrf_token() -> None:
    browser = client_for(user_make(), csrf_checks=True)

    assert browser.get(CREATE).status_code == 200


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer pg_not-a-real-token",
        "Bearer " + "pg_" + "x" * 200,
        "Bearer something-else",
        "Token pg_abc",
        "",
    ],
)
def test_unknown_tokens_are_401_saying_how_to_authenticate(authorization: str) -> None:
    response = _create(Client(enforce_csrf_checks=True), HTTP_AUTHORIZATION=authorization)

    assert response.status_code == 401
    assert response.json() == {
        "error": "Sign in, or send a personal API token as `Authorization: Bearer pg_...`.",
        "code": "unauthenticated",
    }


def test_a_revoked_token_is_401() -> None:
    user = user_make()
    made = services.api_token_create(user=user, name="old laptop")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {made.secret}"}
    assert Client().get(CREATE, **auth).status_code == 200

    revoked = client_for(user).post(f"/account/tokens/{made.token.public_id}/revoke")

    assert revoked.status_code == 302
    assert Client().get(CREATE, **auth).status_code == 401
    assert "old laptop" not in client_for(user).get("/account/").content.decode()


def test_the_token_of_a_deactivated_account_is_401() -> None:
    user = user_make()
    made = services.api_token_create(user=user, name="ci")
    user.is_active = False
    user.save()

    assert Client().get(CREATE, HTTP_AUTHORIZATION=f"Bearer {made.secret}").status_code == 401


def test_only_the_digest_is_stored() -> None:
    made = services.api_token_create(user=user_make(), name="laptop")

    row = ApiToken.objects.values().get(pk=made.token.pk)

    assert made.secret.startswith("pg_") and len(made.secret) >= 40
    assert row["digest"] == hashlib.sha256(made.secret.encode()).hexdigest()
    assert not any(made.secret in str(value) for value in row.values())
    assert row["prefix"] == made.secret[:10]


def _form_id(browser: Client) -> str:
    page = browser.get("/account/").content.decode()
    return re.search(r'name="form_id" value="([^"]+)"', page).group(1)


def test_the_secret_is_in_the_response_that_made_it_and_nowhere_else() -> None:
    user = user_make()
    browser = client_for(user)

    made = browser.post("/account/tokens", {"name": "  my   laptop ", "form_id": _form_id(browser)})

    assert made.status_code == 200
    assert "no-store" in made["Cache-Control"]
    shown = html.unescape(made.content.decode())
    secret = re.search(r'value="(pg_[^"]+)" aria-label="New API token"', shown).group(1)
    assert "Your new token “my laptop”" in shown
    assert Client().get(CREATE, HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    # Not kept for a later page: not in any session, not on the next view of the page.
    stored = [session.get_decoded() for session in Session.objects.all()]
    assert stored and not any(secret in json.dumps(data) for data in stored)
    later = html.unescape(browser.get("/account/").content.decode())
    assert secret not in later and "new-token-secret" not in later
    assert "my laptop" in later and secret[:10] in later  # listed by name and prefix


def test_the_new_token_has_a_copy_button_that_its_script_shows(fake_dist: FakeDist) -> None:
    browser = client_for(user_make())

    made = browser.post("/account/tokens", {"name": "laptop", "form_id": _form_id(browser)})

    page = made.content.decode()
    # Hidden until the page's script can copy; without it the field is there to select.
    assert re.search(
        r'<input class="link-url" id="new-token-secret" readonly value="pg_[^"]+"[^>]*>'
        r'<button type="button" class="copy-button" data-copy="new-token-secret" '
        r'data-testid="new-token-copy" hidden>Copy</button>',
        page,
    )
    assert f'<script type="module" src="/static/{HOST_SCRIPT}"></script>' in page


def test_the_account_page_works_without_a_frontend_build(tmp_path: Path, settings: Settings) -> None:
    settings.FRONTEND_DIST_DIR = tmp_path / "no-dist"
    browser = client_for(user_make())

    made = browser.post("/account/tokens", {"name": "laptop", "form_id": _form_id(browser)})

    assert made.status_code == 200
    assert 'data-testid="new-token-secret"' in made.content.decode()
    assert '<script type="module"' not in made.content.decode()


def test_sending_the_token_form_again_makes_no_second_token() -> None:
    user = user_make()
    browser = client_for(user)
    form = {"name": "laptop", "form_id": _form_id(browser)}
    first = browser.post("/account/tokens", form)

    again = browser.post("/account/tokens", form, follow=True)

    assert first.status_code == 200
    assert user.api_tokens.count() == 1
    text = html.unescape(again.content.decode())
    assert "That form was already sent and its token made" in text
    assert "new-token-secret" not in text


def test_a_token_name_with_a_nul_is_refused_saying_why() -> None:
    user = user_make()

    made = client_for(user).post("/account/tokens", {"name": "ci\x00 runner\n"})

    assert made.status_code == 400
    assert "The form field 'name' holds a NUL character" in html.unescape(made.content.decode())
    assert not user.api_tokens.exists()


def test_a_token_name_is_tidied() -> None:
    user = user_make()

    made = client_for(user).post("/account/tokens", {"name": "ci  runner\n"})

    assert made.status_code == 200
    assert user.api_tokens.get().name == "ci runner"


def test_tokens_are_limited_per_account() -> None:
    user = user_make()
    for n in range(services.MAX_TOKENS_PER_USER):
        services.api_token_create(user=user, name=f"t{n}")

    with pytest.raises(services.TokenError, match="revoke one first"):
        services.api_token_create(user=user, name="one more")
    page = client_for(user)
    page.post("/account/tokens", {"name": "one more"})
    assert "active tokens, the most allowed: revoke one first" in page.get("/account/").content.decode()


def test_nobody_can_revoke_someone_elses_token() -> None:
    made = services.api_token_create(user=user_make(), name="mine")

    response = client_for(user_make()).post(f"/account/tokens/{made.token.public_id}/revoke")

    assert response.status_code == 404
    made.token.refresh_from_db()
    assert made.token.revoked_at is None


def test_last_use_is_written_at_most_once_a_minute() -> None:
    made = services.api_token_create(user=user_make(), name="busy script")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {made.secret}"}
    Client().get(CREATE, **auth)
    made.token.refresh_from_db()
    first = made.token.last_used_at

    Client().get(CREATE, **auth)
    made.token.refresh_from_db()
    assert made.token.last_used_at == first

    ApiToken.objects.filter(pk=made.token.pk).update(
        last_used_at=timezone.now() - timezone.timedelta(minutes=2)
    )
    Client().get(CREATE, **auth)
    made.token.refresh_from_db()
    assert made.token.last_used_at > first


def test_neither_session_nor_token_opens_anything_on_the_user_content_site() -> None:
    """Notebook code runs there: it must not be able to call the API as its visitor."""
    user = user_make()
    made = services.api_token_create(user=user, name="laptop")
    browser = client_for(user)
    usercontent = Client(HTTP_HOST="usercontent.testserver")
    usercontent.cookies = browser.cookies

    answers = [
        usercontent.get(CREATE).status_code,
        usercontent.get(CREATE, HTTP_AUTHORIZATION=f"Bearer {made.secret}").status_code,
        _create(usercontent, HTTP_AUTHORIZATION=f"Bearer {made.secret}").status_code,
        usercontent.get("/account/").status_code,
    ]

    assert answers == [404, 404, 404, 404]
    assert not Notebook.objects.filter(owner=user).exists()
