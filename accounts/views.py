"""The account settings page: e-mail and password (allauth's pages) and personal API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from accounts import selectors, services
from notebooks.selectors import storage_used


@require_safe
@login_required
def account_settings(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/settings.html",
        {
            "tokens": selectors.api_token_list(user=request.user),
            "storage_used": storage_used(user=request.user),
            # Shown once, right after it was made (see token_create).
            "new_token": request.session.pop("new_api_token", None),
        },
    )


@require_POST
@login_required
def token_create(request: HttpRequest) -> HttpResponse:
    try:
        made = services.api_token_create(user=request.user, name=request.POST.get("name", ""))
    except services.TokenError as error:
        messages.error(request, error.message)
    else:
        request.session["new_api_token"] = {"name": made.token.name, "secret": made.secret}
    return redirect("accounts:settings")


@require_POST
@login_required
def token_revoke(request: HttpRequest, public_id: str) -> HttpResponse:
    token = selectors.api_token_get(user=request.user, public_id=public_id)
    if token is None:
        raise Http404("There is no such token.")
    services.api_token_revoke(token=token)
    messages.success(request, f"Revoked the token “{token.name}”.")
    return redirect("accounts:settings")
