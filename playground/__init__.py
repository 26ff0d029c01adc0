"""The Playground web service: the Django project that serves, stores and shares notebooks.

This package is wiring only: settings (:mod:`playground.settings`), the URLs of both
sites, the JSON API's root and the ASGI/WSGI entry points. The apps sit beside it at
the repository root (``pages`` for the site's pages and the playground page, ``web``
for middleware and headers, ``notebooks``, ``sharing`` and the rest); they never
import this package (tests/service/test_layout.py).
"""

from playground.celery import app as celery_app

__all__ = ["celery_app"]
