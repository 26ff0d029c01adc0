"""Personal API tokens.

The token itself (``pg_`` + 256 random bits) is shown once, when it is made; only its
SHA-256 is stored, so a copy of the database gives no working token. ``prefix``
(the first characters) lets people tell their tokens apart.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from notebooks.models import public_id_new


class ApiToken(models.Model):
    public_id = models.CharField(max_length=32, unique=True, default=public_id_new, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
