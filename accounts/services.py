"""Account writes: personal API tokens (made, shown once, revoked, looked up) and the name
others see."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.utils import timezone

from accounts.models import ApiToken

TOKEN_PREFIX = "pg_"
MAX_TOKENS_PER_USER = 20


PUBLIC_NAME_MAX_LENGTH = 60


class AccountError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TokenError(AccountError):
    pass


def user_public_name_set(*, user: User, name: str) -> None:
    """Set the name people who do not edit with ``user`` see (empty: a generic one)."""
    name = " ".join(name.split())
    if len(name) > PUBLIC_NAME_MAX_LENGTH:
        raise AccountError(
            f"A name is at most {PUBLIC_NAME_MAX_LENGTH} characters; this one has {len(name)}."
        )
    user.first_name = name  # Django's own name field; last_name stays unused
    user.save(update_fields=["first_name"])


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    # The secret itself: shown to the person once, never stored.
    secret: str


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_create(*, user: User, name: str) -> NewToken:
    name = " ".join(name.replace("\x00", "").split())[:100] or "API token"
    if ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() >= MAX_TOKENS_PER_USER:
        raise TokenError(
            f"You have {MAX_TOKENS_PER_USER} active tokens, the most allowed: revoke one first."
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=secret[:10], digest=_digest(secret)
    )
    return NewToken(token=token, secret=secret)


def api_token_revoke(*, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def api_token_user(*, secret: str) -> User | None:
    """The active account a token secret belongs to, or None (and mark the token used)."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=_digest(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    # At most one write a minute per token, not one per request.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
