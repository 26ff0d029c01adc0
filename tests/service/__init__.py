"""Tests of the Django service: settings, pages, security headers, static files."""
