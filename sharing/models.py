"""Share links and the collaborators who joined through them.

A link's ``token`` is its whole secret: 192 random bits in the URL ``/s/<token>``.
Links are revoked or expire, never deleted, so "who had access when" stays known.
A collaborator has edit access only while the edit link they joined through is
active: revoking the link removes them too.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from notebooks.models import Notebook, public_id_new


def link_token_new() -> str:
    """32 URL-safe characters holding 192 random bits."""
    return secrets.token_urlsafe(24)


class Role(models.TextChoices):
    VIEW = "view", "View: run it and see the outputs"
    FORK = "fork", "Fork: view, and copy it to keep and change"
    EDIT = "edit", "Edit: collaborate (needs an account)"


class ShareLinkQuerySet(models.QuerySet["ShareLink"]):
    def active(self) -> ShareLinkQuerySet:
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ShareLink(models.Model):
    # The id the owner's pages and the API use to manage the link (not the secret).
    public_id = models.CharField(max_length=32, unique=True, default=public_id_new, editable=False)
    token = models.CharField(max_length=64, unique=True, default=link_token_new, editable=False)
    notebook = models.ForeignKey(Notebook, on_delete=models.CASCADE, related_name="share_links")
    role = models.CharField(max_length=8, choices=Role.choices)
    # View links show the app view; this lets the viewer switch to the code too.
    show_code = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ShareLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.role} link to {self.notebook.public_id}"

    @property
    def is_active(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()


class CollaboratorQuerySet(models.QuerySet["Collaborator"]):
    def current(self) -> CollaboratorQuerySet:
        """Those who edit today: joined through a link that still works, not removed since."""
        return self.filter(removed_at__isnull=True, link__in=ShareLink.objects.active())


class Collaborator(models.Model):
    notebook = models.ForeignKey(Notebook, on_delete=models.CASCADE, related_name="collaborators")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="collaborations"
    )
    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="collaborators")
    joined_at = models.DateTimeField(auto_now_add=True)
    # Set when the owner removes them: they cannot join again through a link made
    # before this moment (only through a new one the owner makes).
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = CollaboratorQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["notebook", "user"], name="collaborator_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.notebook.public_id}"
