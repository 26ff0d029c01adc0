"""The protocol's JSON form: parsing, validation errors, and round trips."""

from __future__ import annotations

import dataclasses
import json

import pytest

from kernels.runtime import protocol as p


def test_commands_parse_from_json_with_defaults():
    command = p.command_from_json({"type": "create_cell", "cell_id": "a"})
    assert command == p.CreateCell("a", "", "code", p.CellConfig(), None)
    command = p.command_from_json(
        {"type": "update_cell", "cell_id": "a", "config": {"disabled": True}}
    )
    assert command.config == p.CellConfig(disabled=True, hide_code=False)
    assert p.command_from_json({"type": "run", "cell_ids": ["a", "b"]}).cell_ids == ["a", "b"]
    assert p.command_from_json(
        {"type": "set_ui_value", "object_id": "s", "value": {"a": [1]}}
    ) == p.SetUIValue("s", {"a": [1]})
    assert p.command_from_json({"type": "set_ui_value", "object_id": "s"}) == p.SetUIValue("s")


# The messages as a client writes them and reads them (docs/protocol.md), field by field.
# The round trips below would pass if both directions misnamed a field the same way;
# these would not.
COMMANDS_ON_THE_WIRE = [
    (
        {"type": "create_cell", "cell_id": "a", "code": "x = 1", "kind": "markdown",
         "config": {"disabled": True, "hide_code": False}, "index": 2},
        p.CreateCell("a", "x = 1", "markdown", p.CellConfig(disabled=True, hide_code=False), 2),
    ),
    (
        {"type": "update_cell", "cell_id": "a", "code": None, "config": {"disabled": False,
                                                                        "hide_code": True}},
        p.UpdateCell("a", None, p.CellConfig(disabled=False, hide_code=True)),
    ),
    ({"type": "delete_cell", "cell_id": "a"}, p.DeleteCell("a")),
    ({"type": "move_cell", "cell_id": "a", "index": 3}, p.MoveCell("a", 3)),
    ({"type": "run", "cell_ids": ["b", "a"]}, p.Run(["b", "a"])),
    ({"type": "run_stale"}, p.RunStale()),
    ({"type": "run_all"}, p.RunAll()),
    ({"type": "set_ui_value", "object_id": "make:0", "value": [1, {"k": None}]},
     p.SetUIValue("make:0", [1, {"k": None}])),
    ({"type": "interrupt"}, p.Interrupt()),
    ({"type": "input_reply", "cell_id": "a", "text": "Ada", "eof": False},
     p.InputReply("a", "Ada", False)),
    ({"type": "set_config", "lazy": True, "watch_files": None, "watch_event_bytes": None,
      "watch_file_max_bytes": None}, p.SetConfig(lazy=True)),
    ({"type": "set_config", "lazy": None, "watch_files": True, "watch_event_bytes": 65536,
      "watch_file_max_bytes": 100}, p.SetConfig(watch_files=True, watch_event_bytes=65536,
                                                watch_file_max_bytes=100)),
    ({"type": "write_files", "files": [{"path": "data/a.csv", "data": "YQ=="}],
      "removed": ["old.txt"],
      "parts": [{"path": "big.bin", "offset": 3, "data": "YWJj", "last": True}], "more": True},
     p.WriteFiles([p.FileData("data/a.csv", "YQ==")], ["old.txt"],
                  [p.FilePart("big.bin", 3, "YWJj", True)], more=True)),
    ({"type": "files_changed", "paths": ["helpers.py", "lib/io.py"]},
     p.FilesChanged(["helpers.py", "lib/io.py"])),
    ({"type": "shutdown"}, p.Shutdown()),
]


@pytest.mark.parametrize(("wire", "expected"), COMMANDS_ON_THE_WIRE,
                         ids=[wire["type"] for wire, _ in COMMANDS_ON_THE_WIRE])
def test_each_command_parses_into_its_fields(wire, expected):
    parsed = p.command_from_json(wire)

    assert type(parsed) is type(expected)
    for field in dataclasses.fields(expected):
        assert getattr(parsed, field.name) == getattr(expected, field.name), field.name
    assert p.to_json(expected) == wire


def test_a_write_files_in_one_command_as_before_parts_still_parses():
    parsed = p.command_from_json({"type": "write_files", "files": [{"path": "a", "data": ""}]})
    assert parsed == p.WriteFiles([p.FileData("a", "")], [], [], more=False)


def test_every_command_type_is_checked_field_by_field():
    assert {wire["type"] for wire, _ in COMMANDS_ON_THE_WIRE} == set(p.COMMANDS)


EVENTS_ON_THE_WIRE = [
    (p.KernelReady("1.0", "CPython 3.13"),
     {"type": "kernel_ready", "version": "1.0", "python": "CPython 3.13",
      "protocol": p.PROTOCOL_VERSION}),
    (p.CellStatus("a", "running"), {"type": "cell_status", "cell_id": "a", "status": "running"}),
    (p.CellAnalysisInfo("a", ["x"], ["y"]),
     {"type": "cell_analysis", "cell_id": "a", "defs": ["x"], "refs": ["y"]}),
    (p.Stream("a", "stderr", "hi\n"),
     {"type": "stream", "cell_id": "a", "name": "stderr", "text": "hi\n"}),
    (p.StreamTruncated("a", "stdout", 10, 2, 2048),
     {"type": "stream_truncated", "cell_id": "a", "name": "stdout", "dropped_bytes": 10,
      "dropped_lines": 2, "limit_bytes": 2048}),
    (p.InputRequest("a", "Password: ", True),
     {"type": "input_request", "cell_id": "a", "prompt": "Password: ", "password": True}),
    (p.Output("a", {"text/plain": "1"}),
     {"type": "output", "cell_id": "a", "data": {"text/plain": "1"}}),
    (p.CellError("a", "cycle", "a and b depend on each other", "", 3, 7, ["b"]),
     {"type": "cell_error", "cell_id": "a", "kind": "cycle",
      "message": "a and b depend on each other", "traceback": "", "line": 3, "column": 7,
      "cells": ["b"]}),
    (p.Variables([p.VariableInfo("x", "int", "1", "a")], ["gone"]),
     {"type": "variables",
      "updated": [{"name": "x", "type": "int", "summary": "1", "cell_id": "a"}],
      "removed": ["gone"]}),
    (p.FilesWritten([p.FileData("out.csv", "YQ==")], ["old.txt"], [p.SkippedFile("big", 9)]),
     {"type": "files_written", "files": [{"path": "out.csv", "data": "YQ=="}],
      "removed": ["old.txt"], "skipped": [{"path": "big", "size": 9}], "parts": [],
      "more": False}),
    (p.FilesWritten([], parts=[p.FilePart("big.bin", 3, "YQ==", True)], more=True),
     {"type": "files_written", "files": [], "removed": [], "skipped": [],
      "parts": [{"path": "big.bin", "offset": 3, "data": "YQ==", "last": True}],
      "more": True}),
    (p.RunCompleted(["a"], ["b"], True, 1.5),
     {"type": "run_completed", "ran": ["a"], "failed": ["b"], "interrupted": True,
      "duration_ms": 1.5}),
    (p.ProtocolError("bad", "set_ui_value", "make:0"),
     {"type": "protocol_error", "message": "bad", "command": "set_ui_value",
      "object_id": "make:0"}),
]


@pytest.mark.parametrize(("event", "wire"), EVENTS_ON_THE_WIRE,
                         ids=[wire["type"] for _, wire in EVENTS_ON_THE_WIRE])
def test_each_event_is_written_with_its_fields(event, wire):
    assert p.to_json(event) == wire
    parsed = p.event_from_json(json.loads(json.dumps(wire)))
    assert type(parsed) is type(event)
    for field in dataclasses.fields(event):
        assert getattr(parsed, field.name) == getattr(event, field.name), field.name


def test_every_event_type_is_checked_field_by_field():
    assert {wire["type"] for _, wire in EVENTS_ON_THE_WIRE} == set(p.EVENTS)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ([], "JSON object"),
        ({"type": "launch"}, "unknown command type 'launch'"),
        ({"cell_id": "a"}, "unknown command type None"),
        ({"type": "run"}, "missing field 'cell_ids'"),
        ({"type": "run", "cell_ids": "a"}, "run.cell_ids must be a list"),
        ({"type": "run", "cell_ids": [1]}, "run.cell_ids[0] must be a string"),
        ({"type": "create_cell", "cell_id": "a", "kind": "sql"}, "must be one of"),
        ({"type": "create_cell", "cell_id": "a", "colour": 1}, "unknown field(s) colour"),
        ({"type": "move_cell", "cell_id": "a", "index": True}, "must be an integer"),
        ({"type": "update_cell", "cell_id": "a", "config": {"hidden": 1}}, "unknown field"),
        ({"type": "input_reply", "text": "x"}, "input_reply: missing field 'cell_id'"),
        ({"type": "input_reply", "cell_id": "a", "text": 3}, "input_reply.text must be a string"),
        ({"type": "input_reply", "cell_id": "a", "eof": "yes"}, "input_reply.eof must be true or false"),
        ({"type": "files_changed"}, "files_changed: missing field 'paths'"),
        ({"type": "files_changed", "paths": "helpers.py"}, "files_changed.paths must be a list"),
        ({"type": "write_files", "files": [{"path": "a"}]}, "missing field 'data'"),
        ({"type": "write_files", "files": [{"path": "a", "data": 1}]}, "must be a string"),
    ],
)
def test_malformed_commands_are_refused_with_a_clear_message(message, expected):
    with pytest.raises(p.ProtocolViolation) as caught:
        p.command_from_json(message)
    assert expected in str(caught.value)


def test_every_event_round_trips_through_json():
    events = [
        p.KernelReady("1.0", "CPython 3.13"),
        p.CellStatus("a", "running"),
        p.CellAnalysisInfo("a", ["x"], ["y"]),
        p.Stream("a", "stdout", "hi\n"),
        p.InputRequest("a", "Your name? ", False),
        p.InputRequest("a", "Password: ", True),
        p.Output("a", {"text/plain": "1", "application/json": {"k": [1, None]}}),
        p.CellError("a", "exception", "ValueError: x", "Traceback...", 3, None, ["b"]),
        p.Variables([p.VariableInfo("x", "int", "1", "a")], ["gone"]),
        p.RunCompleted(["a"], [], False, 1.5),
        p.ProtocolError("bad", "run"),
    ]
    for event in events:
        wire = json.loads(json.dumps(p.to_json(event)))
        assert wire["type"] == event.type
        assert p.event_from_json(wire) == event


def test_every_command_round_trips_through_json():
    commands = [
        p.CreateCell("a", "x = 1", "markdown", p.CellConfig(True, True), 2),
        p.UpdateCell("a", "y", None), p.DeleteCell("a"), p.MoveCell("a", 0), p.Run(["a"]),
        p.RunStale(), p.RunAll(), p.SetUIValue("s", [1, 2]), p.Interrupt(),
        p.InputReply("a", "Ada"), p.InputReply("a", eof=True),
        p.SetConfig(lazy=True), p.FilesChanged(["helpers.py"]), p.Shutdown(),
    ]
    for command in commands:
        assert p.command_from_json(json.loads(json.dumps(p.to_json(command)))) == command


def test_schema_names_every_message_and_its_required_fields():
    schema = p.json_schema()
    defs = schema["$defs"]
    for cls in (*p.COMMANDS.values(), *p.EVENTS.values()):
        entry = defs[cls.__name__]
        assert entry["properties"]["type"] == {"const": cls.type}
        assert entry["additionalProperties"] is False
    assert defs["Run"]["required"] == ["type", "cell_ids"]
    assert defs["CellStatus"]["properties"]["status"]["enum"] == [
        "queued", "running", "idle", "stale", "disabled", "errored"
    ]


def test_input_messages_default_to_a_plain_line():
    assert p.command_from_json({"type": "input_reply", "cell_id": "a"}) == p.InputReply("a", "", False)
    assert p.event_from_json({"type": "input_request", "cell_id": "a"}) == p.InputRequest("a", "", False)
    defs = p.json_schema()["$defs"]
    assert defs["InputReply"]["required"] == ["type", "cell_id"]
    assert defs["InputRequest"]["properties"]["password"] == {"type": "boolean"}
