"""The Playground web service: the Django project that serves, stores and shares notebooks.

Settings live in :mod:`playground.settings`; feature apps (``storage`` and the ones
that follow) sit beside this package at the repository root.
"""
