"""The wheels unpacked into Pyodide are the versions the CPython test run uses."""

import re
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        requirement = line.split("#", 1)[0].split(";", 1)[0].strip()
        if requirement.startswith("-r "):  # pip's include: its pins count too
            pins.update(_pins(path.parent / requirement[3:].strip()))
            continue
        if "==" in requirement:
            name, version = requirement.split("==")
            pins[re.sub(r"[-_.]+", "-", name.strip()).lower()] = version.strip()
    return pins


def test_pyodide_wheels_match_requirements_dev() -> None:
    pyodide = _pins(REPO_ROOT / "tests" / "pyodide" / "requirements.txt")
    dev = _pins(REPO_ROOT / "requirements-dev.txt")

    assert pyodide, "tests/pyodide/requirements.txt pins nothing"
    mismatched = {name: (version, dev.get(name)) for name, version in pyodide.items()}
    mismatched = {name: pair for name, pair in mismatched.items() if pair[0] != pair[1]}
    assert not mismatched, f"(pyodide pin, requirements-dev pin) differ: {mismatched}"


def test_frontend_pins_pyodide_exactly() -> None:
    import json

    package = json.loads((REPO_ROOT / "frontend" / "package.json").read_text())
    lock = json.loads((REPO_ROOT / "frontend" / "package-lock.json").read_text())

    assert re.fullmatch(r"\d+\.\d+\.\d+", package["dependencies"]["pyodide"])
    assert lock["packages"]["node_modules/pyodide"]["version"] == package["dependencies"]["pyodide"]
