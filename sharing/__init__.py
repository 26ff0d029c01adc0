"""Sharing notebooks: share links with roles, collaborators, and who may do what.

:mod:`sharing.access` is the one place that answers "may this person do this to
that notebook?"; every page and API endpoint asks it.
"""
