"""Project names and wheel file names: normalization, validity, which wheels are pure Python."""

import pytest

from packages.distributions import (
    project_name_is_valid,
    project_name_normalize,
    wheel_filename_parse,
)


@pytest.mark.parametrize(
    ("name", "normalized"),
    [
        ("six", "six"),
        ("Typing_Extensions", "typing-extensions"),
        ("zope.interface", "zope-interface"),
        ("A__b--C..d", "a-b-c-d"),
    ],
)
def test_names_normalize_as_pep_503_says(name: str, normalized: str) -> None:
    assert project_name_normalize(name) == normalized


@pytest.mark.parametrize("name", ["..", ".hidden", "a/b", "a\\b", "-a", "a-", "", "a b", "ä"])
def test_invalid_project_names(name: str) -> None:
    assert not project_name_is_valid(name)


@pytest.mark.parametrize(
    ("filename", "pure"),
    [
        ("six-1.17.0-py2.py3-none-any.whl", True),
        ("attrs-26.1.0-py3-none-any.whl", True),
        ("modern-1.0-py312-none-any.whl", True),
        ("built-1.0-1-py3-none-any.whl", True),
        ("legacy-1.0-py2-none-any.whl", False),
        ("numpy-2.5.5-cp313-cp313-manylinux_2_28_x86_64.whl", False),
        ("abi3thing-1.0-cp39-abi3-manylinux_2_17_x86_64.whl", False),
        ("cponly-1.0-cp313-none-any.whl", False),
        ("wasm-1.0-cp314-cp314-pyodide_2026_0_wasm32.whl", False),
    ],
)
def test_pure_python_wheels(filename: str, pure: bool) -> None:
    wheel = wheel_filename_parse(filename)

    assert wheel is not None
    assert wheel.is_pure_python is pure


def test_wheel_name_parts() -> None:
    wheel = wheel_filename_parse("Typing_Extensions-4.16.0-py3-none-any.whl")

    assert wheel is not None
    assert (wheel.project, wheel.version) == ("typing-extensions", "4.16.0")


@pytest.mark.parametrize(
    "filename",
    [
        "six-1.17.0.tar.gz",
        "../six-1.17.0-py3-none-any.whl",
        "dir/six-1.17.0-py3-none-any.whl",
        "..\\six-1.17.0-py3-none-any.whl",
        ".six-1.17.0-py3-none-any.whl",
        "six-1.17.0-py3-none-any.whl.json",
        "six-1.17.0-py3-none-any.whl\x00.txt",
        "six-py3-none-any.whl",
    ],
)
def test_names_that_are_not_wheels(filename: str) -> None:
    assert wheel_filename_parse(filename) is None
