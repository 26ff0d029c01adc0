"""Notebook folders: the files beside a notebook (docs/folders.md)."""
