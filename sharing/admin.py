"""Staff views of share links and collaborators."""

from django.contrib import admin

from sharing.models import Collaborator, ShareLink


@admin.register(ShareLink)
class ShareLinkAdmin(admin.ModelAdmin):
    list_display = ["notebook", "role", "created_by", "created_at", "expires_at", "revoked_at"]
    list_filter = ["role", "revoked_at"]
    search_fields = ["notebook__title", "notebook__public_id", "created_by__email"]
    readonly_fields = ["public_id", "token", "created_at"]
    raw_id_fields = ["notebook", "created_by"]


@admin.register(Collaborator)
class CollaboratorAdmin(admin.ModelAdmin):
    list_display = ["user", "notebook", "link", "joined_at"]
    raw_id_fields = ["user", "notebook", "link"]
