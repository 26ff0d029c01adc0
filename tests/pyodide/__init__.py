"""Checks of the Pyodide test harness that run under CPython."""
