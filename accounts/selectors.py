"""Reads for the account pages."""

from django.contrib.auth.models import User
from django.db.models import QuerySet

from accounts.models import ApiToken


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at")


def api_token_get(*, user: User, public_id: str) -> ApiToken | None:
    return ApiToken.objects.filter(user=user, public_id=public_id).first()


#: What people who do not edit a notebook with someone see instead of their address.
ANONYMOUS_NAME = "A Playground user"


def user_public_name(*, user: User | None) -> str:
    """The name others see for ``user``: the one set on the account page, never the e-mail.

    E-mail addresses are shown only to people who edit a notebook together (its owner
    and collaborators); everyone else sees this (docs/security.md, "What others see").
    """
    if user is None:
        return ""
    return " ".join(getattr(user, "first_name", "").split()) or ANONYMOUS_NAME
