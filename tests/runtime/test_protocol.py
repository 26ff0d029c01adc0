"""The protocol's JSON form: parsing, validation errors, and round trips."""

from __future__ import annotations

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
    assert p.command_from_json({"type": "set_ui_value", "object_id": "s", "value": {"a": [1]}})


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
        p.SetConfig(lazy=True), p.Shutdown(),
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
