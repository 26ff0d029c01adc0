"""Reads for the account pages."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from accounts.models import ApiToken


def api_token_list(*, user: AbstractBaseUser) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at")


def api_token_get(*, user: AbstractBaseUser, public_id: str) -> ApiToken | None:
    return ApiToken.objects.filter(user=user, public_id=public_id).first()
