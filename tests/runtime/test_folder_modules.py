"""Helper modules in the notebook's folder (``files_changed``; kernels/runtime/modules.py).

``import helpers`` finds ``helpers.py`` in the working directory. When the file
changes, the cells importing it re-run and see the new module; other cells do not
run. Runs under CPython and Pyodide (a temporary folder as the working directory).
"""

from __future__ import annotations

import sys
from pathlib import Path

from kernels.runtime import protocol as p
from kernels.runtime.modules import forget_modules, imported_modules, module_names
from tests.runtime.kernel_driver import Driver, errors, outputs, ran


def plain(events: list[object], cell_id: str) -> str:
    return str(outputs(events)[cell_id].get("text/plain"))


def test_editing_a_helper_module_reruns_exactly_the_cells_that_import_it(folder: Path) -> None:
    (folder / "helpers.py").write_text("def scale(x):\n    return x * 2\n")
    k = Driver()
    k.cells(("n", "n = 10"), ("use", "import helpers\nhelpers.scale(n)"),
            ("other", "n + 1"), ("from", "from helpers import scale\nscaled = scale(1)"),
            ("after", "scaled * 100"))
    first = k.run_all()
    assert plain(first, "use") == "20" and plain(first, "after") == "200"

    (folder / "helpers.py").write_text("def scale(x):\n    return x * 3\n")
    events = k.send(p.FilesChanged(["helpers.py"]))
    assert sorted(ran(events)) == ["after", "from", "use"]
    assert plain(events, "use") == "30" and plain(events, "after") == "300"


def test_a_module_that_was_missing_makes_its_importer_run_once_it_arrives(folder: Path) -> None:
    k = Driver()
    k.cells(("use", "import helpers\nhelpers.VALUE"))
    assert errors(k.run_all())["use"].message.startswith("ModuleNotFoundError")
    (folder / "helpers.py").write_text("VALUE = 'here now'\n")
    events = k.send(p.FilesChanged(["helpers.py"]))
    assert plain(events, "use") == "'here now'"


def test_a_data_file_changing_runs_nothing(folder: Path) -> None:
    (folder / "helpers.py").write_text("X = 1\n")
    k = Driver()
    k.cells(("use", "import helpers\nhelpers.X"))
    k.run_all()
    assert ran(k.send(p.FilesChanged(["data.csv", "notes.txt"]))) == []


def test_packages_and_submodules(folder: Path) -> None:
    (folder / "lib").mkdir()
    (folder / "lib" / "__init__.py").write_text("")
    (folder / "lib" / "stats.py").write_text("def mean(xs):\n    return sum(xs) / len(xs)\n")
    k = Driver()
    k.cells(("a", "from lib.stats import mean\nmean([1, 2, 3])"),
            ("b", "import lib.stats as s\ns.mean([2, 4])"), ("c", "import json\njson.dumps(1)"))
    k.run_all()
    (folder / "lib" / "stats.py").write_text("def mean(xs):\n    return -1\n")
    events = k.send(p.FilesChanged(["lib/stats.py"]))
    assert sorted(ran(events)) == ["a", "b"]
    assert plain(events, "a") == "-1" and plain(events, "b") == "-1"


def test_lazy_kernels_mark_the_importers_stale_instead(folder: Path) -> None:
    (folder / "helpers.py").write_text("X = 1\n")
    k = Driver(lazy=True)
    k.cells(("use", "import helpers\ny = helpers.X"), ("after", "y + 1"))
    k.run_all()
    (folder / "helpers.py").write_text("X = 5\n")
    assert ran(k.send(p.FilesChanged(["helpers.py"]))) == []
    assert k.status("use") == "stale" and k.status("after") == "stale"


def test_only_modules_loaded_from_the_folder_are_forgotten(folder: Path) -> None:
    import json

    (folder / "json.py").write_text("shadow = True\n")  # not what `import json` loaded
    assert "json" not in forget_modules(["json.py"], str(folder))
    assert sys.modules["json"] is json


def test_module_names_and_imports_are_read_as_python_does() -> None:
    assert module_names(["helpers.py", "lib/__init__.py", "lib/io.py", "data.csv",
                         "bad-name.py", "2fast.py"]) == {"helpers", "lib", "lib.io"}
    code = "import a.b.c\nfrom d import e\nfrom . import f\nimport g as h\ndef f():\n    import k\n"
    assert imported_modules(code) == {"a", "a.b", "a.b.c", "d", "d.e", "g", "k"}
    assert imported_modules("this is not python(") == set()
