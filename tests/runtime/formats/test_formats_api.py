"""The package entry points: choosing formats, reading and atomically saving files, names."""

from __future__ import annotations

import errno
import os
import shutil
import stat
from pathlib import Path

import pytest

import kernels.runtime.formats as formats
from kernels.runtime.formats import (
    NotebookFormatError,
    dumps_notebook,
    format_for_path,
    load_notebook,
    loads_notebook,
    new_cell_name,
    new_notebook,
    pyfile,
    save_notebook,
    with_cell_names,
)
from kernels.runtime.notebook import CELL_NAME_RE, Cell, CellConfig, Notebook

FIXTURES = Path(__file__).parent / "fixtures"


def sample() -> Notebook:
    return Notebook(
        cells=[
            Cell(code="x = 1", name="a"),
            Cell(code="Some *text*", kind="markdown", config=CellConfig(hide_code=True)),
            Cell(code="await f()", name="b", config=CellConfig(disabled=True)),
        ]
    )


def test_error_is_a_value_error() -> None:
    assert issubclass(NotebookFormatError, ValueError)


# --------------------------------------------------------------------------- choosing formats


@pytest.mark.parametrize(
    ("path", "fmt"),
    [
        ("a.py", "py"),
        ("dir.v2/Notebook.PY", "py"),
        ("a.ipynb", "ipynb"),
        (Path("x.IPYNB"), "ipynb"),
    ],
)
def test_format_for_path(path: str | Path, fmt: str) -> None:
    assert format_for_path(path) == fmt


@pytest.mark.parametrize("path", ["notes.txt", "README", "a.py.bak", "nb.md"])
def test_unsupported_extension_names_the_supported_ones(path: str) -> None:
    with pytest.raises(NotebookFormatError, match=r"\.py \(Playground or marimo\) or \.ipynb"):
        format_for_path(path)


def test_py_text_is_read_as_marimo_or_ours_by_content() -> None:
    marimo_text = (FIXTURES / "marimo_slider.py").read_text(encoding="utf-8")
    ours = (FIXTURES / "example.py").read_text(encoding="utf-8")
    assert loads_notebook(marimo_text, "py").cells[3].name == "squares"
    assert loads_notebook(ours, "py") == pyfile.loads(ours)
    # Forcing a format skips detection.
    assert len(loads_notebook(marimo_text, "playground").cells) == 1


def test_unknown_or_write_only_formats_are_refused() -> None:
    with pytest.raises(NotebookFormatError, match="cannot read format 'script'"):
        loads_notebook("", "script")
    with pytest.raises(NotebookFormatError, match="cannot write format 'nope'"):
        dumps_notebook(sample(), "nope")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- reading files


@pytest.mark.parametrize(
    "name",
    [
        "example.py",
        "tricky.py",
        "jupytext_percent.py",
        "plain_script.py",
        "analysis.ipynb",
        "legacy_v44.ipynb",
        "marimo_generated.py",
        "marimo_handwritten.py",
        "marimo_slider.py",
    ],
)
def test_every_fixture_loads_and_saves_as_a_compiling_py_file(name: str, tmp_path: Path) -> None:
    nb = load_notebook(FIXTURES / name)
    target = tmp_path / "out.py"
    save_notebook(with_cell_names(nb), target)
    text = target.read_text(encoding="utf-8")
    compile(text, str(target), "exec", dont_inherit=True)
    again = load_notebook(target)
    assert [(c.code, c.kind, c.config) for c in again.cells] == [
        (c.code, c.kind, c.config) for c in nb.cells
    ]
    assert all(c.name is not None for c in again.cells)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(NotebookFormatError, match=r"gone\.py: no such file"):
        load_notebook(tmp_path / "gone.py")


def test_directory(tmp_path: Path) -> None:
    (tmp_path / "folder.ipynb").mkdir()
    with pytest.raises(NotebookFormatError, match="is a directory, not a notebook file"):
        load_notebook(tmp_path / "folder.ipynb")


def test_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin.py"
    path.write_bytes("x = 'café'\n".encode("latin-1"))
    with pytest.raises(NotebookFormatError, match=r"not UTF-8 text \(byte 0xe9 at offset 8\)"):
        load_notebook(path)


def test_byte_order_mark_is_ignored(tmp_path: Path) -> None:
    source = (FIXTURES / "analysis.ipynb").read_bytes()
    path = tmp_path / "bom.ipynb"
    path.write_bytes(b"\xef\xbb\xbf" + source)
    assert load_notebook(path) == load_notebook(FIXTURES / "analysis.ipynb")
    assert loads_notebook("\ufeff# %%\nx = 1\n", "py").cells == [Cell(code="x = 1")]


def test_malformed_file_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.ipynb"
    path.write_text("{", encoding="utf-8")
    with pytest.raises(NotebookFormatError, match=r"broken\.ipynb: not valid JSON"):
        load_notebook(path)


# --------------------------------------------------------------------------- saving


@pytest.mark.parametrize("suffix", [".py", ".ipynb"])
def test_save_then_load_gives_the_notebook_back(suffix: str, tmp_path: Path) -> None:
    path = tmp_path / f"nb{suffix}"
    nb = sample()
    save_notebook(nb, path)
    assert load_notebook(path).cells == nb.cells
    assert path.read_bytes() == dumps_notebook(nb, format_for_path(path)).encode("utf-8")
    assert os.listdir(tmp_path) == [path.name]


def test_saving_a_py_path_writes_our_format_even_for_marimo_notebooks(tmp_path: Path) -> None:
    path = tmp_path / "app.py"
    shutil.copy(FIXTURES / "marimo_slider.py", path)
    save_notebook(load_notebook(path), path)
    assert path.read_text(encoding="utf-8").startswith(pyfile.DEFAULT_HEADER)


def test_failed_rename_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "nb.py"
    path.write_text("# %%\nold = True\n", encoding="utf-8")

    def fail(src: str, dst: str) -> None:
        raise OSError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match=r"cannot save .*nb\.py: Permission denied; the previous"):
        save_notebook(sample(), path)
    assert path.read_text(encoding="utf-8") == "# %%\nold = True\n"
    assert os.listdir(tmp_path) == ["nb.py"]  # no temporary file left behind


def test_full_disk_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "nb.ipynb"
    path.write_text("old", encoding="utf-8")

    def fail(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", fail)
    with pytest.raises(OSError) as raised:
        save_notebook(sample(), path)
    assert raised.value.errno == errno.ENOSPC
    assert path.read_text(encoding="utf-8") == "old"
    assert os.listdir(tmp_path) == ["nb.ipynb"]


def test_interrupted_save_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "nb.py"
    path.write_text("old", encoding="utf-8")

    def interrupt(src: str, dst: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupt)
    with pytest.raises(KeyboardInterrupt):
        save_notebook(sample(), path)
    assert path.read_text(encoding="utf-8") == "old"
    assert os.listdir(tmp_path) == ["nb.py"]


def test_missing_directory_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(OSError, match="cannot save"):
        save_notebook(sample(), tmp_path / "nowhere" / "nb.py")


def test_unsavable_notebook_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "nb.py"
    path.write_text("old", encoding="utf-8")
    nb = Notebook(cells=[Cell(code="", name="a"), Cell(code="", name="a")])
    with pytest.raises(NotebookFormatError, match="both named 'a'"):
        save_notebook(nb, path)
    assert path.read_text(encoding="utf-8") == "old"


def test_save_keeps_the_file_mode(tmp_path: Path) -> None:
    path = tmp_path / "nb.py"
    path.write_text("old", encoding="utf-8")
    path.chmod(0o640)
    save_notebook(sample(), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_save_through_a_symlink_replaces_the_target(tmp_path: Path) -> None:
    target = tmp_path / "real.py"
    target.write_text("old", encoding="utf-8")
    link = tmp_path / "link.py"
    link.symlink_to(target)
    save_notebook(sample(), link)
    assert link.is_symlink()
    assert load_notebook(target).cells == sample().cells


# --------------------------------------------------------------------------- names


def test_new_notebook_has_one_empty_named_code_cell() -> None:
    nb = new_notebook()
    assert nb.header is None
    assert len(nb.cells) == 1
    (only,) = nb.cells
    assert (only.code, only.kind, only.config) == ("", "code", CellConfig())
    assert only.name is not None and CELL_NAME_RE.fullmatch(only.name)
    assert pyfile.loads(pyfile.dumps(nb)).cells == nb.cells


def test_new_cell_name_is_four_letters_and_avoids_existing_names() -> None:
    names: set[str] = set()
    for _ in range(300):
        name = new_cell_name(names)
        assert len(name) == 4 and name.isascii() and name.isalpha()
        assert name not in names
        names.add(name)


def test_new_cell_name_grows_when_short_names_run_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(formats.secrets, "choice", lambda letters: "a")
    assert new_cell_name(set()) == "aaaa"
    assert new_cell_name({"aaaa"}) == "aaaaa"


def test_with_cell_names_is_deterministic_and_leaves_the_input_alone() -> None:
    nb = Notebook(
        cells=[Cell(code="a"), Cell(code="b", name="cell-2"), Cell(code="c"), Cell(code="d")],
        header="",
    )
    named = with_cell_names(nb)
    assert [c.name for c in named.cells] == ["cell-0", "cell-2", "cell-2-2", "cell-3"]
    assert [c.name for c in nb.cells] == [None, "cell-2", None, None]
    assert with_cell_names(nb) == named
    assert named.header == ""
    named.cells[0].config.disabled = True
    assert nb.cells[0].config.disabled is False
