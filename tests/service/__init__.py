"""Tests of the Django service (settings, pages, health check)."""
