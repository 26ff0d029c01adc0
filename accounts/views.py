"""The account settings page: e-mail and password (allauth's pages), name, API tokens.

A new token's secret exists in exactly one place outside the person's hands: the
response to the POST that made it (never stored, not in the session, not cached).
Each form carries a one-time id, so sending the form again (a reload) makes no
second token; it says the secret was shown once instead.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from accounts import selectors, services
from accounts.auth import SignedInRequest
from notebooks.selectors import storage_used
from pages.host_page import host_script_context

_FORM_ID_SECONDS = 24 * 3600


def _settings_page(request: SignedInRequest, **extra: Any) -> HttpResponse:
    return render(
        request,
        "accounts/settings.html",
        {
            "tokens": selectors.api_token_list(user=request.user),
            "storage_used": storage_used(user=request.user),
            "public_name": selectors.user_public_name(user=request.user),
            "token_form_id": secrets.token_urlsafe(16),
            **host_script_context(),
            **extra,
        },
    )


@require_safe
@login_required
def account_settings(request: SignedInRequest) -> HttpResponse:
    return _settings_page(request)


@require_POST
@login_required
@never_cache
def token_create(request: SignedInRequest) -> HttpResponse:
    form_id = request.POST.get("form_id", "")
    # cache.add is atomic: of two sends of one form, only the first makes a token.
    if form_id and not cache.add(f"token-form:{request.user.pk}:{form_id}", 1, _FORM_ID_SECONDS):
        messages.info(
            request,
            "That form was already sent and its token made; its secret was shown once. "
            "If you did not copy it, revoke the token and make another.",
        )
        return redirect("accounts:settings")
    try:
        made = services.api_token_create(user=request.user, name=request.POST.get("name", ""))
    except services.TokenError as error:
        messages.error(request, error.message)
        return redirect("accounts:settings")
    # The secret goes into this response only.
    return _settings_page(
        request, new_token={"name": made.token.name, "secret": made.secret}
    )


@require_POST
@login_required
def name_set(request: SignedInRequest) -> HttpResponse:
    try:
        services.user_public_name_set(user=request.user, name=request.POST.get("name", ""))
    except services.AccountError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Saved the name others see.")
    return redirect("accounts:settings")


@require_POST
@login_required
def token_revoke(request: SignedInRequest, public_id: str) -> HttpResponse:
    token = selectors.api_token_get(user=request.user, public_id=public_id)
    if token is None:
        raise Http404("There is no such token.")
    services.api_token_revoke(token=token)
    messages.success(request, f"Revoked the token “{token.name}”.")
    return redirect("accounts:settings")
