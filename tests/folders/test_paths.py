"""File names a folder accepts and refuses (folders.paths), with the reason in words."""

from __future__ import annotations

import pytest

from folders.errors import InvalidPath
from folders.paths import folder_check, path_clean, under


@pytest.mark.parametrize(
    "path",
    ["data.csv", "data/2024/sales.csv", "Ünïcode naïve.txt", "a b/c d.py", ".hidden", "x" * 255],
)
def test_ordinary_names_are_kept(path: str) -> None:
    assert path_clean(path) == path


def test_names_are_stored_in_one_unicode_form() -> None:
    # "é" typed as e + combining accent names the same file as the composed "é".
    assert path_clean("cafe\u0301.csv") == "caf\u00e9.csv"


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("", "needs a name"),
        ("   ", "needs a name"),
        ("..", "'..'"),
        ("../secret", "'..'"),
        ("data/../../etc/passwd", "'..'"),
        ("./data.csv", "'.'"),
        ("data//x.csv", "empty"),
        ("data/", "empty"),
        ("/etc/passwd", "starts with /"),
        ("a\\b.csv", "backslash"),
        ("nul\x00.csv", "control character"),
        ("line\nbreak", "control character"),
        (" padded.csv", "space"),
        ("x" * 256, "255 bytes"),
        ("é" * 128, "255 bytes"),  # 256 bytes in UTF-8
        ("/".join(["d"] * 17), "17 folders deep"),
        ("a" * 1025, "1,025 characters"),
    ],
)
def test_names_that_could_escape_or_mean_another_file_are_refused(path: str, reason: str) -> None:
    with pytest.raises(InvalidPath) as refused:
        path_clean(path)
    assert reason in refused.value.message


def test_a_name_cannot_be_a_file_and_a_folder() -> None:
    folder_check(["data/a.csv", "data/b.csv", "data.csv"])
    with pytest.raises(InvalidPath) as refused:
        folder_check(["data", "data/a.csv"])
    assert "'data' is a file" in refused.value.message
    with pytest.raises(InvalidPath):
        folder_check(["a/b", "a/b/c/d.txt"])


def test_under_means_the_folder_itself_or_inside_it() -> None:
    assert under("data/a.csv", "data") and under("data", "data")
    assert not under("database.csv", "data") and not under("dat", "data")


def test_a_name_of_exactly_the_longest_length_is_kept() -> None:
    longest = "/".join(["a" * 200] * 4 + ["b" * 220])
    assert len(longest) == 1024
    assert path_clean(longest) == longest
