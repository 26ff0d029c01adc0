"""``ui.refresh``: intervals checked when it is made, each refresh re-running its readers."""

from __future__ import annotations

import pytest

from kernels import ui
from kernels.runtime import protocol as p
from kernels.runtime.kernel import UIValueBatch
from kernels.ui import UI_MIME, UIValueError
from kernels.ui._refresh import parse_interval
from tests.runtime.kernel_driver import Driver, errors, outputs, ran, text


@pytest.mark.parametrize(("option", "label", "seconds"), [
    ("500ms", "500ms", 0.5),
    ("5s", "5s", 5.0),
    ("1m", "1m", 60.0),
    ("1h", "1h", 3600.0),
    ("1m 30s", "1m 30s", 90.0),
    ("1M30S", "1M30S", 90.0),
    (" 1.5s ", "1.5s", 1.5),
    ("10", "10", 10.0),
    (2, "2s", 2.0),
    (0.25, "0.25s", 0.25),
])
def test_intervals_are_seconds_or_durations(option, label, seconds):
    assert parse_interval(option) == (label, seconds)


@pytest.mark.parametrize(("options", "message"), [
    (["1s", "5x"], r"refresh: the interval '5x' is not a number of seconds or a duration"),
    (["5 min"], r"the interval '5 min' is not"),
    ([""], r"the interval '' is not"),
    (["ms"], r"the interval 'ms' is not"),
    (["10ms"], r"the interval '10ms' is shorter than 100ms"),
    ([0], r"the interval 0 is shorter than 100ms"),
    ([-5], r"the interval -5 is shorter"),
    ([float("inf")], r"the interval inf must be a finite number"),
    ([True], r"the interval True must be .* not a bool"),
    ([None], r"the interval None must be"),
    (["30d"], r"the interval '30d' is longer than 24 days"),
    (["1s", 1], r"the option '1s' is listed twice"),
    ("1s", r"options must be a list of intervals, not str"),
])
def test_bad_intervals_are_refused_naming_the_option(options, message):
    with pytest.raises(ValueError, match=message):
        ui.refresh(options)


def test_the_default_interval_must_be_an_option_and_alone_is_the_only_one():
    with pytest.raises(ValueError, match=r"the interval '2s' is not one of the options \['1s'\]"):
        ui.refresh(["1s"], interval="2s")
    with pytest.raises(ValueError, match=r"the interval '1x' is not"):
        ui.refresh(interval="1x")
    # The same duration written another way picks the option, as the picker shows it.
    assert ui.refresh(["1s", "1m"], interval=60)._spec()["props"]["interval"] == "1m"
    alone = ui.refresh(interval="200ms")._spec()["props"]
    assert alone == {"options": [{"label": "200ms", "seconds": 0.2}], "interval": "200ms"}
    assert ui.refresh()._spec()["props"] == {"options": [], "interval": None}


def test_spec_and_each_refresh_counts_and_names_its_interval():
    r = ui.refresh(["500ms", "1m 30s"], interval="500ms", label="Reload")
    spec = r._spec()
    assert (spec["kind"], spec["label"], spec["value"]) == ("refresh", "Reload", None)
    assert spec["props"]["options"] == [
        {"label": "500ms", "seconds": 0.5}, {"label": "1m 30s", "seconds": 90.0},
    ]
    assert (r.value, r.interval, r.options) == (0, None, ["500ms", "1m 30s"])
    r._update("500ms")
    r._update("off")
    r._update(None)
    assert (r.value, r.interval) == (3, "off")
    with pytest.raises(UIValueError, match=r"one of \['off', '500ms', '1m 30s'\], not '7s'"):
        r._update("7s")
    assert r.value == 3, "a refused refresh changes nothing"


def _ticking() -> Driver:
    d = Driver()
    d.cells(
        ("make", "from kernels import ui\nseen = []\n"
                 "tick = ui.refresh(interval='200ms', on_change=seen.append)\ntick"),
        ("read", "f'{tick.value} {tick.interval}'"),
        ("other", "unrelated = 1"),
    )
    d.run_all()
    return d


def test_each_tick_reruns_the_readers_not_the_creator():
    d = _ticking()
    element = outputs(d.events)["make"][UI_MIME]
    assert element["kind"] == "refresh"
    assert text(d.events, "read") == "'0 None'"

    events = d.send(p.SetUIValue(element["id"], "200ms"))
    assert ran(events) == ["read"]
    assert text(events, "read") == "'1 200ms'"
    events = d.send(p.SetUIValue(element["id"], "off"))
    assert text(events, "read") == "'2 off'"
    assert d.ns["seen"] == [1, 2], "on_change gets each new count"

    events = d.send(p.SetUIValue(element["id"], "1h"))
    assert isinstance(events[0], p.ProtocolError) and "not '1h'" in events[0].message
    assert not ran(events)


def test_ticks_queued_behind_a_run_merge_into_one_refresh():
    d = _ticking()
    events = d.send(UIValueBatch({"make:0": "200ms"}, {"make:0": ["200ms"] * 5}))
    assert ran(events) == ["read"]
    assert text(events, "read") == "'1 200ms'", "five queued ticks are one refresh"


def test_a_bad_interval_fails_the_cell_that_wrote_it():
    d = Driver()
    d.cells(("make", "from kernels import ui\nui.refresh(['1s', '2 weeks'])"))
    d.run_all()
    message = errors(d.events)["make"].message
    assert message.startswith("ValueError: refresh: the interval '2 weeks' is not")
