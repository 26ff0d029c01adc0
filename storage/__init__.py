"""Notebook content in object storage: write-once blobs, read through a cache.

Revisions (``notebooks``) keep their text here, one object per revision under a key
that is never reused; the database holds only metadata. The backend is the
``notebooks`` entry of ``STORAGES``: local files for ``make run``, S3-compatible
object storage (django-storages) in production. See :mod:`storage.blobs`.
"""
