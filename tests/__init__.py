"""Playground's test suite: runtime, service and Pyodide harness tests."""
