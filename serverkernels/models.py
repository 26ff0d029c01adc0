"""The durable record of a server kernel session; its live state is in Redis (store.py)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

from notebooks.models import Notebook


def session_id_new() -> str:
    return secrets.token_urlsafe(16)


class KernelSession(models.Model):
    """One person's server kernel for one notebook, across its restarts."""

    public_id = models.CharField(max_length=32, unique=True, default=session_id_new, editable=False)
    notebook = models.ForeignKey(Notebook, on_delete=models.CASCADE, related_name="kernel_sessions")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kernel_sessions"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["owner", "notebook", "-created_at"], name="kernel_owner")]

    def __str__(self) -> str:
        return f"kernel {self.public_id} of {self.notebook_id}"
