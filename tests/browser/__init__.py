"""End-to-end tests: the real service, the built frontend and Pyodide in Debian's Chromium."""
