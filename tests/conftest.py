"""Session-wide test set-up shared by every test directory.

Kept free of Django: tests/runtime also runs under Pyodide, where Django is not
installed. pytest-django sets Django up only for the tests that use it.
"""

import os
import sys

from hypothesis import HealthCheck, settings

# No wall-clock limits in pass/fail tests (docs/testing.md): Pyodide is several times
# slower than CPython, and CI machines and developers' machines running two suites at
# once are loaded, so Hypothesis's deadlines and its too-slow health check are off
# everywhere.
settings.register_profile(
    "ci", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.register_profile(
    "local", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "pyodide",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    # The repository is mounted read-write; keep Hypothesis's example database out of it.
    database=None,
)

if sys.platform == "emscripten":
    settings.load_profile("pyodide")
elif os.environ.get("CI"):
    settings.load_profile("ci")
else:
    settings.load_profile("local")
