"""``import marimo as mo`` in cells: marimo's API on the kernel, with marimo's semantics.

Runs under CPython and under Pyodide (the browser's Python), in process; whole
marimo notebooks (the tutorials marimo ships) run in tests/host.
"""

from __future__ import annotations

import sys
import types

import pytest

from kernels.runtime import protocol as p
from kernels.ui import UI_MIME
from tests.runtime.kernel_driver import Driver, errors, outputs, ran, stdout, text

IMPORT = ("imp", "import marimo as mo")


def notebook(*pairs: tuple[str, str]) -> Driver:
    d = Driver()
    d.cells(IMPORT, *pairs)
    d.run_all()
    return d


def spec(d: Driver, cell_id: str) -> dict:
    return outputs(d.events)[cell_id][UI_MIME]


def test_import_marimo_gives_the_layer_even_when_real_marimo_is_loaded() -> None:
    real = types.ModuleType("marimo")
    previous = sys.modules.get("marimo")
    sys.modules["marimo"] = real
    try:
        d = notebook(("which", "mo.__name__"))
        assert text(d.events, "which") == "'kernels.marimo_compat'"
        # Outside cells the host's own marimo is back.
        assert sys.modules["marimo"] is real
    finally:
        if previous is None:
            sys.modules.pop("marimo", None)
        else:
            sys.modules["marimo"] = previous


def test_a_name_not_covered_says_so_naming_it() -> None:
    d = notebook(("sql", "mo.sql('select 1')"), ("gadget", "mo.ui.microphone()"))

    failed = errors(d.events)
    assert "mo.sql is not supported yet by Playground's marimo layer" in failed["sql"].message
    assert "DuckDB" in failed["sql"].message
    assert "mo.ui.microphone is not supported yet" in failed["gadget"].message
    assert failed["sql"].message.startswith("NotSupported: ")


def test_hasattr_on_an_uncovered_name_is_false_as_for_any_module() -> None:
    d = notebook(("probe", "hasattr(mo, 'sql'), hasattr(mo, 'md'), getattr(mo.ui, 'chat', None)"))
    assert text(d.events, "probe") == "(False, True, None)"


def test_moving_a_marimo_slider_reruns_its_readers_not_its_creator() -> None:
    d = notebook(
        ("make", "n = mo.ui.slider(1, 10, value=3, label='n', show_value=True)\nn"),
        ("use", "doubled = n.value * 2\ndoubled"),
    )
    made = spec(d, "make")
    assert (made["kind"], made["value"], made["label"]) == ("slider", 3, "n")

    events = d.send(p.SetUIValue(made["id"], 7))

    assert ran(events) == ["use"]
    assert text(events, "use") == "14"


def test_markdown_embeds_live_elements_and_can_be_put_in_a_callout_with_a_title() -> None:
    d = notebook(
        ("make", "x = mo.ui.slider(0, 5, label='x')\nx"),
        ("show", "mo.md(f'Move {x} to change **{x.value}**').callout(kind='warn', title='Try')"),
    )
    shown = spec(d, "show")
    inner_id = shown["props"]["elements"][0]["id"]

    assert shown["props"]["html"] is True
    assert 'class="pg-callout pg-callout-warn"' in shown["props"]["text"]
    assert "<strong>Try</strong>" in shown["props"]["text"]
    markdown = shown["props"]["elements"][0]
    assert markdown["kind"] == "markdown" and "Move" in markdown["props"]["text"]
    assert markdown["props"]["elements"][0]["id"] == spec(d, "make")["id"]
    assert inner_id != spec(d, "make")["id"]


def test_state_setter_reruns_the_getters_readers() -> None:
    d = notebook(
        ("make", "get_count, set_count = mo.state(0)"),
        ("button", "b = mo.ui.button(label='+1', on_click=lambda _: set_count(lambda n: n + 1))\nb"),
        ("show", "shown = get_count()\nshown"),
    )
    assert text(d.events, "show") == "0"

    events = d.send(p.SetUIValue(spec(d, "button")["id"], None))

    assert ran(events) == ["show"]
    assert text(events, "show") == "1"


def test_a_stop_while_nothing_runs_does_not_hold_back_a_states_readers() -> None:
    d = notebook(
        ("make", "get_count, set_count = mo.state(0)"),
        ("button", "b = mo.ui.button(label='+1', on_click=lambda _: set_count(lambda n: n + 1))\nb"),
        ("show", "shown = get_count()\nshown"),
    )
    d.send(p.Interrupt())  # Stop pressed after the run ended

    events = d.send(p.SetUIValue(spec(d, "button")["id"], None))

    assert ran(events) == ["show"]
    assert text(events, "show") == "1"


def test_a_cell_setting_a_state_it_reads_does_not_rerun_itself() -> None:
    d = notebook(
        ("make", "get_n, set_n = mo.state(0)"),
        ("sets", "seen = get_n()\nset_n(seen + 1)\nprint('set from', seen)"),
        ("show", "get_n()"),
    )
    assert stdout(d.events, "sets") == "set from 0\n"
    # `show` ran after the change in the same run: it is not run again.
    assert ran(d.events).count("show") == 1
    assert text(d.events, "show") == "1"


def test_state_with_self_loops_reruns_the_setting_cell_until_it_stops() -> None:
    d = notebook(
        ("make", "get_n, set_n = mo.state(0, allow_self_loops=True)"),
        ("loop", "n = get_n()\nif n < 3:\n    set_n(n + 1)\nprint('n =', n)"),
    )
    assert stdout(d.events, "loop") == "n = 0\nn = 1\nn = 2\nn = 3\n"


def test_output_append_builds_the_output_and_a_final_value_replaces_it() -> None:
    d = notebook(
        ("appends", "for i in range(3):\n    mo.output.append(mo.md(f'row {i}'))"),
        ("replaced", "mo.output.append('early')\n'final'"),
        ("cleared", "mo.output.append('gone')\nmo.output.clear()"),
        ("one", "mo.output.replace(mo.md('only'))"),
    )
    shown = spec(d, "appends")
    assert shown["kind"] == "vstack"
    assert [item[UI_MIME]["props"]["text"] for item in shown["props"]["items"]] == [
        "row 0", "row 1", "row 2",
    ]
    assert text(d.events, "replaced") == "'final'"
    assert outputs(d.events)["cleared"] == {}
    assert spec(d, "one")["props"]["text"] == "only"


def test_stop_is_quiet_and_its_dependents_wait() -> None:
    d = notebook(
        ("gate", "mo.stop(True, mo.md('Press **run** first'))\nvalue = 1"),
        ("after", "value + 1"),
    )
    assert errors(d.events) == {}
    assert spec(d, "gate")["props"]["text"] == "Press **run** first"
    assert d.status("after") == "stale"
    assert "value" not in d.ns


def test_cache_keeps_results_when_its_cell_runs_again() -> None:
    d = notebook(
        ("define", "@mo.cache\ndef slow(x):\n    print('computing', x)\n    return x * 2"),
        ("use", "slow(4), slow(4)"),
    )
    d.run("define")
    assert stdout(d.events, "use").count("computing 4") == 1
    assert text(d.events, "use") == "(8, 8)"


def test_lru_cache_forgets_the_least_recently_used() -> None:
    d = notebook(
        ("define", "@mo.lru_cache(maxsize=1)\ndef f(x):\n    print('f', x)\n    return x"),
        ("use", "f(1); f(2); f(1)"),
    )
    assert stdout(d.events, "use") == "f 1\nf 2\nf 1\n"


def test_marimo_button_keeps_its_value_unless_on_click_changes_it() -> None:
    d = notebook(
        ("plain", "b = mo.ui.button(label='go')\nb"),
        ("counter", "c = mo.ui.button(value=0, on_click=lambda v: v + 1, label='+')\nc"),
        ("read", "b.value, c.value"),
    )
    d.send(p.SetUIValue(spec(d, "plain")["id"], None))
    events = d.send(p.SetUIValue(spec(d, "counter")["id"], None))
    assert text(events, "read") == "(None, 1)"


def test_marimo_refresh_ticks_rerun_its_readers_with_marimos_value() -> None:
    d = notebook(
        ("make", "r = mo.ui.refresh(options=['1s', '5m 30s'], default_interval='1s')\nr"),
        ("read", "repr(r.value)"),
    )
    made = spec(d, "make")
    assert made["kind"] == "refresh"
    assert made["props"] == {
        "options": [{"label": "1s", "seconds": 1.0}, {"label": "5m 30s", "seconds": 330.0}],
        "interval": "1s",
    }
    assert text(d.events, "read") == "\"''\"", "marimo's value before the first refresh"

    events = d.send(p.SetUIValue(made["id"], "1s"))
    assert ran(events) == ["read"]
    assert text(events, "read") == "\"'1s (1)'\""
    events = d.send(p.SetUIValue(made["id"], "off"))
    assert text(events, "read") == "\"'off (2)'\""


def test_marimo_refresh_takes_its_arguments_and_refuses_bad_intervals() -> None:
    d = notebook(
        ("alone", "mo.ui.refresh(default_interval='200ms', label='Tick')"),
        ("none", "mo.ui.refresh(default_interval=0)"),
        ("bad", "mo.ui.refresh(options=['1s', 'soon'])"),
        ("missing", "mo.ui.refresh(options=['1s'], default_interval='10s')"),
        ("not_list", "mo.ui.refresh(options='1s')"),
    )
    alone = spec(d, "alone")
    assert (alone["label"], alone["props"]["interval"]) == ("Tick", "200ms")
    assert spec(d, "none")["props"] == {"options": [], "interval": None}
    failed = errors(d.events)
    assert "the interval 'soon' is not a number of seconds or a duration" in failed["bad"].message
    assert "the interval '10s' is not one of the options ['1s']" in failed["missing"].message
    assert "options must be a list of intervals, not str" in failed["not_list"].message


def test_marimo_mermaid_is_a_diagram_element_with_htmls_methods() -> None:
    d = notebook(
        ("plain", "mo.mermaid('graph TD; A-->B', theme='dark')"),
        ("centred", "mo.mermaid('graph LR; X-->Y').center()"),
    )
    plain = spec(d, "plain")
    assert (plain["kind"], plain["props"]) == ("mermaid", {"diagram": "graph TD; A-->B"})
    centred = spec(d, "centred")
    assert centred["kind"] == "hstack"
    assert centred["props"]["items"][0][UI_MIME]["kind"] == "mermaid"


def test_dropdown_is_none_until_chosen_and_maps_labels_to_values() -> None:
    d = notebook(
        ("make", "size = mo.ui.dropdown({'Small': 10, 'Large': 100}, label='Size')\nsize"),
        ("read", "repr(size.value)"),
    )
    assert text(d.events, "read") == "'None'"
    events = d.send(p.SetUIValue(spec(d, "make")["id"], "Large"))
    assert text(events, "read") == "'100'"


def test_batch_in_a_form_has_one_value_submitted_together() -> None:
    d = notebook(
        ("make", "f = mo.md('Name {name}, age {age}').batch(name=mo.ui.text(), "
                 "age=mo.ui.number(0, 120)).form()\nf"),
        ("read", "repr(f.value)"),
    )
    made = spec(d, "make")
    assert made["kind"] == "form" and made["props"]["element"]["kind"] == "markdown"
    assert text(d.events, "read") == "'None'"

    events = d.send(p.SetUIValue(made["id"], {"name": "Ada", "age": 36}))

    assert text(events, "read") == '"{\'name\': \'Ada\', \'age\': 36}"'


def test_stacks_take_marimo_arguments() -> None:
    d = notebook(
        ("row", "mo.hstack(['a', mo.ui.text()], justify='center', widths='equal', gap=1)"),
        ("column", "mo.vstack([mo.md('x'), 'y'], align='center', heights=[1, 2])"),
    )
    row, column = spec(d, "row")["props"], spec(d, "column")["props"]
    assert (row["justify"], row["sizes"], row["gap"]) == ("center", [1.0, 1.0], 1)
    assert (column["align"], column["sizes"]) == ("center", [1.0, 2.0])


def test_refs_and_defs_are_the_running_cells() -> None:
    d = notebook(("a", "x = 1"), ("b", "y = x + 1\nmo.refs(), mo.defs()"))
    assert text(d.events, "b") == "(('mo', 'x'), ('y',))"


def test_cell_globals_look_like_a_modules() -> None:
    d = notebook(("probe", "type(__builtins__).__name__, __name__"))
    assert text(d.events, "probe") == "('dict', '__main__')"


def test_matrix_value_is_a_list_of_rows() -> None:
    d = notebook(("make", "m = mo.ui.matrix([[1, 0], [0, 1]], min_value=-5, max_value=5)\nm"),
                 ("read", "m.value"))
    assert text(d.events, "read") == "[[1, 0], [0, 1]]"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("mo.app_meta().mode", "'edit'"),
        ("mo.query_params().get('missing', 'default')", "'default'"),
        ("type(mo.notebook_dir()).__name__ in ('PosixPath', 'WindowsPath')", "True"),
        ("mo.cli_args()", "{}"),
        ("mo.__version__", "'0.25.2'"),
    ],
)
def test_where_the_notebook_runs(code: str, expected: str) -> None:
    d = notebook(("probe", code))
    assert text(d.events, "probe") == expected


def test_a_state_reader_that_never_ran_runs_when_the_state_is_set() -> None:
    d = Driver(lazy=True)
    d.cells(IMPORT, ("make", "get_n, set_n = mo.state(0)"), ("sets", "set_n(5)"),
            ("show", "get_n()"))
    d.run("imp")
    d.run("make")  # lazily: `show` is stale and has never run

    events = d.run("sets")

    assert ran(events) == ["sets", "show"]
    assert text(events, "show") == "5"


# Several readers of one state: each test below must run all of them, whatever order
# the kernel meets them in (readers are a set).
READERS = [(f"show{i}", f"shown{i} = get_n()") for i in range(8)]


def test_every_reader_of_a_state_runs_when_a_cell_reading_it_sets_it() -> None:
    d = notebook(("make", "get_n, set_n = mo.state(0)"), *READERS,
                 ("sets", "seen = get_n()\nset_n(seen + 1)"))

    events = d.run("sets")  # `sets` reads the state it sets: it is not run again for it

    assert sorted(ran(events)) == sorted(["sets", *(cell_id for cell_id, _ in READERS)])
    assert all(d.ns[f"shown{i}"] == 2 for i in range(8))


def test_readers_that_ran_after_the_change_are_skipped_the_others_still_run() -> None:
    d = notebook(("make", "get_n, set_n = mo.state(0)"), *READERS,
                 ("sets", "set_n(2)\ndone = True"),
                 ("late", "late = (done, get_n())"))  # runs after `sets` in the same run

    events = d.run("sets")

    assert sorted(ran(events)) == sorted(["sets", "late", *(cell_id for cell_id, _ in READERS)])
    assert ran(events).count("late") == 1
    assert d.ns["late"] == (True, 2)
