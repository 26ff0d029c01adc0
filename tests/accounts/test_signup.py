"""Sign-up with a verified e-mail address, log-in, and allauth's rate limits (django-allauth).

Mail goes to Django's locmem outbox (test settings), so the verification link is
read from the message the person would receive.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.http import HttpResponse
from django.test import Client
from pytest_django import Settings

from tests.factories import PASSWORD, user_make

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-and-unusual-passphrase-42"


def _sign_up_post(client: Client, email: str) -> HttpResponse:
    return client.post(
        "/accounts/signup/",
        {"email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )


def _sign_up(client: Client, email: str) -> None:
    response = _sign_up_post(client, email)
    assert response.status_code == 302, response.content
    assert response["Location"] == "/accounts/confirm-email/"


def _log_in(client: Client, email: str, password: str) -> object:
    return client.post("/accounts/login/", {"login": email, "password": password})


def test_sign_up_sends_a_verification_mail_whose_link_logs_you_in() -> None:
    browser = Client()

    _sign_up(browser, "ada@example.com")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ada@example.com"]
    assert message.subject.startswith("[Playground] ")
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", message.body).group(0)
    # Not signed in yet: the dashboard sends you to log in.
    assert browser.get("/notebooks/")["Location"].startswith("/accounts/login/")

    path = urlsplit(link).path
    confirm_page = browser.get(path)
    assert confirm_page.status_code == 200
    assert "ada@example.com" in html.unescape(confirm_page.content.decode())
    confirmed = browser.post(path)

    assert confirmed.status_code == 302
    assert confirmed["Location"] == "/notebooks/"
    dashboard = browser.get("/notebooks/")
    assert dashboard.status_code == 200
    assert "ada@example.com" in dashboard.content.decode()


def test_an_unverified_address_cannot_log_in() -> None:
    user_make("grace@example.com", verified=False)
    browser = Client()

    response = _log_in(browser, "grace@example.com", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert browser.get("/notebooks/").status_code == 302
    assert len(mail.outbox) == 1 and "grace@example.com" in mail.outbox[0].to


def test_a_verified_account_logs_in_and_lands_on_its_notebooks() -> None:
    user_make("linus@example.com")
    browser = Client()

    response = _log_in(browser, "linus@example.com", PASSWORD)

    assert (response.status_code, response["Location"]) == (302, "/notebooks/")
    assert browser.get("/notebooks/").status_code == 200


def test_signing_up_with_a_taken_address_creates_nothing_and_tells_its_owner() -> None:
    """The page looks the same as for a new address (no probing who has an account)."""
    user_make("taken@example.com")

    _sign_up(Client(), "taken@example.com")

    assert get_user_model().objects.filter(email="taken@example.com").count() == 1
    assert len(mail.outbox) == 1
    assert "an account using that email address already exists" in mail.outbox[0].body


def test_log_in_attempts_beyond_the_rate_limit_answer_429(settings: Settings) -> None:
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "3/m/ip"}
    user_make("eve@example.com")
    browser = Client()

    answers = [_log_in(browser, "eve@example.com", "wrong").status_code for _ in range(3)]
    refused = _log_in(browser, "eve@example.com", PASSWORD)

    assert answers == [200, 200, 200]
    assert refused.status_code == 429
    assert "too many requests" in refused.content.decode().lower()
    assert browser.get("/notebooks/").status_code == 302  # still not signed in


def test_sign_ups_beyond_the_rate_limit_answer_429_and_create_no_account(
    settings: Settings,
) -> None:
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "2/h/ip"}
    browser = Client()
    for number in range(2):
        _sign_up(browser, f"bot{number}@example.com")
        browser.logout()

    refused = _sign_up_post(browser, "bot2@example.com")

    assert refused.status_code == 429
    assert "too many requests" in refused.content.decode().lower()
    assert not get_user_model().objects.filter(email="bot2@example.com").exists()
    assert get_user_model().objects.filter(email__startswith="bot").count() == 2


def test_failed_log_ins_for_one_account_are_limited(settings: Settings) -> None:
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "2/5m/key"}
    user_make("mallory@example.com")
    browser = Client()
    for _ in range(2):
        _log_in(browser, "mallory@example.com", "guess")

    # Even the right password is refused until the window passes.
    response = _log_in(browser, "mallory@example.com", PASSWORD)

    assert response.status_code == 200
    assert "Too many failed login attempts. Try again later." in html.unescape(
        response.content.decode()
    )
    assert browser.get("/notebooks/").status_code == 302


def test_password_reset_by_mail_sets_a_new_password() -> None:
    user_make("grace@example.com")
    browser = Client()

    asked = browser.post("/accounts/password/reset/", {"email": "grace@example.com"})
    assert asked.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["grace@example.com"]
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+/", message.body).group(0)
    # allauth moves the key out of the URL into the session, then shows the form.
    form_page = browser.get(urlsplit(link).path, follow=True)
    assert form_page.status_code == 200
    (form_url, _), *_ = form_page.redirect_chain
    changed = browser.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert changed.status_code == 302

    old = _log_in(Client(), "grace@example.com", PASSWORD)
    assert old.status_code == 200  # the form again, with its error
    assert "not correct" in old.content.decode()
    assert _log_in(Client(), "grace@example.com", NEW_PASSWORD)["Location"] == "/notebooks/"


def test_the_admin_is_for_staff_only() -> None:
    staff = user_make("staff@example.com")
    staff.is_staff = staff.is_superuser = True
    staff.save()
    member = Client()
    member.force_login(user_make("member@example.com"))
    admin = Client()
    admin.force_login(staff)

    assert member.get("/admin/notebooks/notebook/")["Location"].startswith("/admin/login/")
    page = admin.get("/admin/notebooks/notebook/")
    assert page.status_code == 200
    assert "Select notebook to change" in page.content.decode()
    assert admin.get("/admin/sharing/sharelink/").status_code == 200
    assert admin.get("/admin/accounts/apitoken/").status_code == 200


def test_the_admin_login_form_is_allauths_with_its_rate_limits(settings: Settings) -> None:
    """/admin/login/ takes no password itself: guesses there count like any other log-in."""
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "2/5m/key"}
    staff = user_make("root@example.com")
    staff.is_staff = staff.is_superuser = True
    staff.save()
    browser = Client()
    for _ in range(2):
        _log_in(browser, "root@example.com", "guess")

    posted = browser.post(
        "/admin/login/?next=/admin/", {"username": "root@example.com", "password": PASSWORD}
    )

    assert posted.status_code == 302
    assert posted["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    assert browser.get("/admin/").status_code == 302, "the admin's form logged someone in"
    refused = _log_in(browser, "root@example.com", PASSWORD)
    assert "Too many failed login attempts" in html.unescape(refused.content.decode())


def test_staff_reach_the_admin_through_the_sites_log_in() -> None:
    staff = user_make("root@example.com")
    staff.is_staff = staff.is_superuser = True
    staff.save()
    browser = Client()

    sent = browser.get("/admin/")
    login_page = browser.get(sent["Location"], follow=True)
    logged_in = browser.post(
        "/accounts/login/?next=/admin/", {"login": "root@example.com", "password": PASSWORD}
    )

    assert login_page.redirect_chain[-1][0].startswith("/accounts/login/")
    assert logged_in["Location"] == "/admin/"
    assert "Site administration" in browser.get("/admin/").content.decode()
