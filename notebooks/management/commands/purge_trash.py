"""``manage.py purge_trash``: delete notebooks that have been in the trash too long.

Run it daily (cron, a systemd timer or Celery beat); ``TRASH_RETENTION_DAYS`` says how long.
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from notebooks.services import trash_purge_expired


class Command(BaseCommand):
    help = "Delete, with all their revisions, notebooks in the trash for TRASH_RETENTION_DAYS."

    def handle(self, *args: object, **options: object) -> None:
        count = trash_purge_expired()
        self.stdout.write(
            f"Purged {count} notebook{'s' if count != 1 else ''} in the trash for more than "
            f"{settings.TRASH_RETENTION_DAYS} days."
        )
