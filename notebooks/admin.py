"""Staff views of notebooks and revisions (content stays in object storage)."""

from django.contrib import admin
from django.http import HttpRequest

from notebooks.models import Notebook, Revision, StorageUsage

# Revisions are written once: every field shown is read-only.
_REVISION_FIELDS = ("number", "size", "author", "created_at", "restored_from")


class RevisionInline(admin.TabularInline):
    model = Revision
    extra = 0
    can_delete = False
    fields = _REVISION_FIELDS
    readonly_fields = _REVISION_FIELDS

    def has_add_permission(self, request: HttpRequest, obj: Notebook | None = None) -> bool:
        return False


@admin.register(Notebook)
class NotebookAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "visibility", "updated_at", "trashed_at"]
    list_filter = ["visibility", "trashed_at"]
    search_fields = ["title", "public_id", "owner__email"]
    readonly_fields = ["public_id", "current_revision", "created_at", "updated_at", "forked_from"]
    raw_id_fields = ["owner"]
    inlines = [RevisionInline]


@admin.register(StorageUsage)
class StorageUsageAdmin(admin.ModelAdmin):
    list_display = ["user", "bytes_used"]
    search_fields = ["user__email"]
    readonly_fields = ["user"]
