"""The Celery application: workers of the ``kernels`` queue host server kernels (serverkernels).

Start one with ``celery -A playground worker -Q kernels --pool threads --concurrency N``
(deploy/README.md): each of its N threads holds one kernel session at a time.
Settings come from Django's, under the ``CELERY_`` prefix.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "playground.settings.production")

app = Celery("playground")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
