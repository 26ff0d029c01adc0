"""kernels.ui imports only the standard library; pandas, polars and matplotlib only when in use."""

from __future__ import annotations

import importlib
import pkgutil
import sys

from tests.runtime.test_stdlib_only import _allowed, _fresh_imports_stdlib_only


def test_ui_modules_import_only_the_standard_library():
    with _fresh_imports_stdlib_only() as blocker:
        ui = importlib.import_module("kernels.ui")
        names = [info.name for info in pkgutil.iter_modules(ui.__path__, prefix="kernels.ui.")]
        for name in names:
            importlib.import_module(name)
        # Every element works with the standard library alone.
        ui.table([{"a": 1}])._spec()
        ui.dataframe({"a": [1, 2]})._update(
            {"filters": [{"column": "a", "op": ">", "value": 1}]})
        ui.hstack([ui.slider(0, 1), "text", 3])._spec()
        leaked = sorted(name for name in sys.modules if not _allowed(name))
    assert not blocker.refused, f"kernels.ui asked for: {blocker.refused}"
    assert not leaked, f"modules outside the standard library appeared: {leaked}"
    assert len(names) >= 8


def test_public_module_exports_every_element():
    from kernels import ui

    exported = set(ui.__all__)
    elements = {name for name in dir(ui)
                if isinstance(getattr(ui, name), type)
                and issubclass(getattr(ui, name), ui.UIElement)}
    assert elements <= exported
    assert {"slider", "range_slider", "number", "text", "text_area", "dropdown", "multiselect",
            "checkbox", "switch", "radio", "button", "run_button", "date", "file", "table",
            "dataframe", "form", "array", "dictionary", "tabs", "accordion", "hstack", "vstack",
            "md", "progress", "image", "stop"} <= exported
