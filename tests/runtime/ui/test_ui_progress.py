"""ui.progress updates the running cell's output, throttled, and ends with a final update."""

from __future__ import annotations

import itertools

import pytest

from kernels import ui
from kernels.runtime import protocol as p
from kernels.ui import UI_MIME, UIValueError
from kernels.ui import _progress as progress_module
from tests.runtime.kernel_driver import Driver, errors, outputs


@pytest.fixture
def fake_clock(monkeypatch):
    """Every reading of the clock moves it 10 ms on."""
    ticks = itertools.count()
    monkeypatch.setattr(progress_module, "_clock", lambda: next(ticks) * 0.01)


def bars(events: list, cell_id: str) -> list[dict]:
    """The progress specs a cell sent while running, in order."""
    return [
        e.data[UI_MIME]["props"] for e in events
        if isinstance(e, p.Output) and e.cell_id == cell_id
        and e.data.get(UI_MIME, {}).get("kind") == "progress"
    ]


def test_a_loop_sends_throttled_updates_then_a_final_one(fake_clock):
    d = Driver()
    d.cells(("loop", "from kernels import ui\ntotal = 0\n"
                     "for i in ui.progress(range(1000), title='Summing'):\n    total += i\ntotal"))
    events = d.run_all()
    sent = bars(events, "loop")
    assert sent[0]["current"] == 0 and sent[0]["total"] == 1000 and not sent[0]["done"]
    assert sent[-1] == sent[-1] | {"current": 1000, "fraction": 1.0, "done": True, "eta": None}
    running = [b["elapsed"] for b in sent[:-1]]
    gaps = [b - a for a, b in itertools.pairwise(running)]
    assert min(gaps) >= progress_module.MIN_INTERVAL - 1e-9, "at most ~10 updates a second"
    assert 10 <= len(sent) <= 120, len(sent)
    assert sent[1]["title"] == "Summing" and 0 < sent[1]["fraction"] < 1
    assert sent[1]["eta"] > 0
    # The cell's own output replaces the bar when it ends.
    assert outputs(events)["loop"] == {"text/plain": "499500"}


def test_a_quick_loop_costs_two_messages():
    d = Driver()
    d.cells(("loop", "from kernels import ui\nfor _ in ui.progress([1, 2, 3]):\n    pass"))
    sent = bars(d.run_all(), "loop")
    assert [(b["current"], b["done"]) for b in sent] == [(0, False), (3, True)]


def test_context_manager_with_update_and_unknown_total(fake_clock):
    d = Driver()
    d.cells(("work", "from kernels import ui\n"
                     "with ui.progress(title='Files') as bar:\n"
                     "    for _ in range(50):\n        bar.update(2)\n"
                     "    bar.update(0, title='Done')\nbar"))
    events = d.run_all()
    sent = bars(events, "work")
    assert sent[0]["total"] is None and sent[0]["fraction"] is None
    assert sent[-1]["current"] == 100 and sent[-1]["done"] and sent[-1]["title"] == "Done"
    final = outputs(events)["work"]
    assert final[UI_MIME]["props"]["current"] == 100, "the bar as the last expression stays"
    assert final["text/plain"] == "<progress Done: 100 done>"


def test_a_loop_that_breaks_or_fails_still_sends_its_final_state():
    d = Driver()
    d.cells(
        ("setup", "from kernels import ui"),
        ("early", "for a in ui.progress(range(10)):\n    if a == 4:\n        break"),
        ("fails", "for b in ui.progress(range(10)):\n    if b == 2:\n        raise ValueError('bad row')"),
    )
    events = d.run_all()
    assert bars(events, "early")[-1] == bars(events, "early")[-1] | {"current": 4, "done": True}
    assert bars(events, "fails")[-1]["current"] == 2
    assert "bad row" in errors(events)["fails"].message


def test_progress_outside_a_kernel_counts_quietly():
    bar = ui.progress(total=3, title="t")
    with bar:
        bar.update()
        bar.update(2)
    assert bar.value == 3 and bar._props()["done"]
    with pytest.raises(TypeError, match="nothing to iterate"):
        iter(ui.progress()).__next__()
    with pytest.raises(ValueError, match="total must be"):
        ui.progress(total=-1)
    with pytest.raises(UIValueError, match="no value to set"):
        bar._update(1)
    assert ui.progress(iter([1, 2])).total is None
