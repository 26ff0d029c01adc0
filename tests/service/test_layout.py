"""The project package is wiring only: no app imports ``playground``.

``playground/`` holds settings, URLs, the API root and the ASGI/WSGI entry points;
they import the apps, never the other way round. An app that needs a setting reads
``django.conf.settings``. An import of ``playground`` from an app would make a
page's data climb up to the project and back down (issue 16), so this test reads
every module of every app with :mod:`ast` and names each such import.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
APPS = ("accounts", "notebooks", "packages", "pages", "sharing", "storage", "web")
PROJECT = "playground"


def _imports_of_project(path: Path, root: Path = REPO) -> list[str]:
    """``file:line module`` for each import of the project package in one module."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            if name == PROJECT or name.startswith(PROJECT + "."):
                found.append(f"{path.relative_to(root)}:{node.lineno} {name}")
    return found


def _app_modules(app: str) -> list[Path]:
    return sorted((REPO / app).rglob("*.py"))


@pytest.mark.parametrize("app", APPS)
def test_no_app_module_imports_the_project_package(app: str) -> None:
    modules = _app_modules(app)
    assert modules, f"{app}/ has no modules: is the app list out of date?"
    offending = [hit for path in modules for hit in _imports_of_project(path)]
    assert offending == [], f"apps must not import {PROJECT}: " + ", ".join(offending)


def test_the_scan_finds_an_import_of_the_project(tmp_path: Path) -> None:
    # The check itself must catch every spelling, or the test above proves nothing.
    module = tmp_path / "probe.py"
    module.write_text(
        "from playground.settings import base\n"
        "import playground.urls\n"
        "from playground import api\n"
        "from . import playground\n"  # a relative import of the app's own module: allowed
        "import playgrounds\n",
        encoding="utf-8",
    )
    hits = _imports_of_project(module, root=tmp_path)
    assert hits == [
        "probe.py:1 playground.settings",
        "probe.py:2 playground.urls",
        "probe.py:3 playground",
    ]
