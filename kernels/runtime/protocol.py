"""The kernel protocol: every command a kernel accepts and every event it emits.

One set of JSON messages, whatever carries them (a Web Worker's postMessage,
a websocket, ``playground kernel --stdio`` JSON lines, a Celery task). Each
message is a JSON object whose ``type`` field names it; the other fields are
the dataclass fields below. ``docs/protocol.md`` explains the flow and
``json_schema()`` generates the JSON Schema (``docs/protocol.schema.json``).
"""

from __future__ import annotations

import dataclasses
import sys
import types
import typing
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar, Union

from kernels.runtime.notebook import CellConfig

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

# 2: input_request / input_reply (a cell's input() asks the client and waits).
PROTOCOL_VERSION = 2

CellStatusName = Literal["queued", "running", "idle", "stale", "disabled", "errored"]
StreamName = Literal["stdout", "stderr"]
CellErrorKind = Literal[
    "exception",  # the cell raised
    "syntax",  # the cell does not parse or compile
    "import-star",  # `from m import *`
    "multiple-definitions",  # a name it defines is defined by another cell too
    "cycle",  # it depends on itself through other cells
    "ancestor-failed",  # a cell it reads from failed or cannot run
    "interrupted",  # the user interrupted it
    "exit",  # it called sys.exit() (the kernel keeps running)
]


class Message:
    """Base of commands and events; ``type`` is the wire name."""

    type: ClassVar[str]
    if TYPE_CHECKING:
        # Every message is a dataclass: lets dataclasses.fields() take any Message.
        __dataclass_fields__: ClassVar[dict[str, dataclasses.Field[Any]]]


# --------------------------------------------------------------------------
# Commands (client -> kernel)
# --------------------------------------------------------------------------


@dataclass(slots=True)
class CreateCell(Message):
    """Add a cell (it does not run). ``index`` defaults to the end."""

    type: ClassVar[str] = "create_cell"
    cell_id: str
    code: str = ""
    kind: Literal["code", "markdown"] = "code"
    config: CellConfig = field(default_factory=CellConfig)
    index: int | None = None


@dataclass(slots=True)
class UpdateCell(Message):
    """Change a cell's code and/or config. Changed code marks the cell stale until it runs."""

    type: ClassVar[str] = "update_cell"
    cell_id: str
    code: str | None = None
    config: CellConfig | None = None


@dataclass(slots=True)
class DeleteCell(Message):
    """Remove a cell: its names leave memory and its dependents re-run (or go stale)."""

    type: ClassVar[str] = "delete_cell"
    cell_id: str


@dataclass(slots=True)
class MoveCell(Message):
    """Move a cell to ``index`` in the notebook order (order only breaks ties)."""

    type: ClassVar[str] = "move_cell"
    cell_id: str
    index: int


@dataclass(slots=True)
class Run(Message):
    """Run these cells, then every cell that depends on them, in topological order."""

    type: ClassVar[str] = "run"
    cell_ids: list[str]


@dataclass(slots=True)
class RunStale(Message):
    """Run every stale cell (lazy mode), in topological order."""

    type: ClassVar[str] = "run_stale"


@dataclass(slots=True)
class RunAll(Message):
    """Run every cell of the notebook."""

    type: ClassVar[str] = "run_all"


@dataclass(slots=True)
class SetUIValue(Message):
    """Set the value of a UI element; the cells reading it re-run."""

    type: ClassVar[str] = "set_ui_value"
    object_id: str
    value: Any = None


@dataclass(slots=True)
class Interrupt(Message):
    """Stop the running cell; the cells queued behind it are cancelled (left stale)."""

    type: ClassVar[str] = "interrupt"


@dataclass(slots=True)
class InputReply(Message):
    """The line the user typed for a cell waiting in ``input()`` (``input_request``).

    ``text`` is the line without its newline (newlines inside it make several
    lines, read one by one); ``eof`` ends the input instead (Ctrl-D), so
    ``input()`` raises ``EOFError``. Only the waiting cell may be answered.
    """

    type: ClassVar[str] = "input_reply"
    cell_id: str
    text: str = ""
    eof: bool = False


@dataclass(slots=True)
class SetConfig(Message):
    """Change kernel settings. ``lazy``: mark dependents stale instead of running them.
    ``watch_files``: after each run, report the files it wrote (``files_written``).
    ``watch_event_bytes``: how long one ``files_written`` line may be (a larger file
    goes in parts over several events); ``watch_file_max_bytes``: files larger than
    this are listed as skipped, not sent (the folder would refuse them)."""

    type: ClassVar[str] = "set_config"
    lazy: bool | None = None
    watch_files: bool | None = None
    watch_event_bytes: int | None = None
    watch_file_max_bytes: int | None = None


@dataclass(slots=True)
class FileData:
    """One file of the notebook's folder: its path (relative) and bytes (base64)."""

    path: str
    data: str


@dataclass(slots=True)
class FilePart:
    """Some bytes (base64) of a file too large for one ``files_written`` or ``write_files``,
    from ``offset``; ``last``: the file ends with them."""

    path: str
    offset: int
    data: str
    last: bool = False


@dataclass(slots=True)
class WriteFiles(Message):
    """Put files in the kernel's working directory (and remove others), then as
    ``files_changed``: a kernel whose folder lives elsewhere (a server) is given it so.
    Over as many commands as the sender's line bound needs: ``files`` whole, larger ones
    in ``parts`` in order; ``more``: further ``write_files`` of the same change follow
    (the change is announced, as ``files_changed``, after the last)."""

    type: ClassVar[str] = "write_files"
    files: list[FileData]
    removed: list[str] = field(default_factory=list)
    parts: list[FilePart] = field(default_factory=list)
    more: bool = False


@dataclass(slots=True)
class FilesChanged(Message):
    """Files of the notebook's folder (paths relative to the working directory) changed:
    modules loaded from them are forgotten and the cells importing them re-run."""

    type: ClassVar[str] = "files_changed"
    paths: list[str]


@dataclass(slots=True)
class Shutdown(Message):
    """Stop the kernel."""

    type: ClassVar[str] = "shutdown"


Command = Union[  # noqa: UP007 - a runtime union of classes, iterated below
    CreateCell, UpdateCell, DeleteCell, MoveCell, Run, RunStale, RunAll,
    SetUIValue, Interrupt, InputReply, SetConfig, FilesChanged, WriteFiles, Shutdown,
]

# --------------------------------------------------------------------------
# Events (kernel -> client)
# --------------------------------------------------------------------------


@dataclass(slots=True)
class KernelReady(Message):
    """Sent once when the kernel starts."""

    type: ClassVar[str] = "kernel_ready"
    version: str
    python: str
    protocol: int = PROTOCOL_VERSION


@dataclass(slots=True)
class CellStatus(Message):
    """A cell's status changed. ``running`` means its old output and streams are cleared."""

    type: ClassVar[str] = "cell_status"
    cell_id: str
    status: CellStatusName


@dataclass(slots=True)
class CellAnalysisInfo(Message):
    """What a cell defines and reads, sent when its code changes. Edges follow from these."""

    type: ClassVar[str] = "cell_analysis"
    cell_id: str
    defs: list[str]
    refs: list[str]


@dataclass(slots=True)
class Stream(Message):
    """Text a running cell wrote to stdout or stderr, in order; writes are batched (streams.py)."""

    type: ClassVar[str] = "stream"
    cell_id: str
    name: StreamName
    text: str


@dataclass(slots=True)
class StreamTruncated(Message):
    """A cell's run wrote more than ``limit_bytes`` of stream text: what ``name`` lost.

    Sent when the run ends, after its last ``stream`` event, at most once per
    stream. ``dropped_lines`` counts the lines at least partly dropped.
    """

    type: ClassVar[str] = "stream_truncated"
    cell_id: str
    name: StreamName
    dropped_bytes: int
    dropped_lines: int
    limit_bytes: int


@dataclass(slots=True)
class InputRequest(Message):
    """A running cell waits for a line of input (``input()``, ``sys.stdin``, ``getpass``).

    ``prompt`` is what the cell printed on the current line of its stdout (already
    sent as a ``stream`` event); ``password``: do not show what is typed. The cell
    stays ``running`` until an ``input_reply`` for it or an ``interrupt``.
    """

    type: ClassVar[str] = "input_request"
    cell_id: str
    prompt: str = ""
    password: bool = False


@dataclass(slots=True)
class Output(Message):
    """A cell's output as a mimebundle (``{}`` when the cell has no output)."""

    type: ClassVar[str] = "output"
    cell_id: str
    data: dict[str, Any]


@dataclass(slots=True)
class CellError(Message):
    """Why a cell failed or cannot run. ``traceback`` is formatted text, may be empty."""

    type: ClassVar[str] = "cell_error"
    cell_id: str
    kind: CellErrorKind
    message: str
    traceback: str = ""
    line: int | None = None
    column: int | None = None
    cells: list[str] = field(default_factory=list)  # other cells involved


@dataclass(slots=True)
class VariableInfo:
    """One variable of the notebook's namespace, for a variables panel."""

    name: str
    type: str
    summary: str
    cell_id: str


@dataclass(slots=True)
class Variables(Message):
    """Variables that changed in the last run, and names no longer defined."""

    type: ClassVar[str] = "variables"
    updated: list[VariableInfo]
    removed: list[str]


@dataclass(slots=True)
class SkippedFile:
    """A file a run wrote that is not sent: larger than ``watch_file_max_bytes``."""

    path: str
    size: int


@dataclass(slots=True)
class FilesWritten(Message):
    """Files the last run created or changed (with their bytes) and removed, in the
    working directory (``watch_files``). Sent before that run's ``run_completed``, over
    as many events as ``watch_event_bytes`` needs: ``files`` whole, larger ones in
    ``parts`` in order; ``more``: further ``files_written`` of the same run follow."""

    type: ClassVar[str] = "files_written"
    files: list[FileData]
    removed: list[str] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    parts: list[FilePart] = field(default_factory=list)
    more: bool = False


@dataclass(slots=True)
class RunCompleted(Message):
    """A run finished: which cells ran, which failed, whether it was interrupted."""

    type: ClassVar[str] = "run_completed"
    ran: list[str]
    failed: list[str]
    interrupted: bool = False
    duration_ms: float = 0.0


@dataclass(slots=True)
class ProtocolError(Message):
    """A command could not be understood or applied; the kernel state is unchanged."""

    type: ClassVar[str] = "protocol_error"
    message: str
    command: str | None = None
    object_id: str | None = None  # the UI element a refused set_ui_value was for


Event = Union[  # noqa: UP007
    KernelReady, CellStatus, CellAnalysisInfo, Stream, StreamTruncated, InputRequest, Output,
    CellError, Variables, FilesWritten, RunCompleted, ProtocolError,
]

COMMANDS: dict[str, type[Command]] = {cls.type: cls for cls in typing.get_args(Command)}
EVENTS: dict[str, type[Event]] = {cls.type: cls for cls in typing.get_args(Event)}


# --------------------------------------------------------------------------
# JSON conversion
# --------------------------------------------------------------------------


class ProtocolViolation(ValueError):
    """A message does not match the protocol; the text says what is wrong."""


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    hints = _HINTS.get(cls)
    if hints is None:
        module = sys.modules[cls.__module__]
        hints = typing.get_type_hints(cls, vars(module))
        hints = {f.name: hints[f.name] for f in dataclasses.fields(cls)}
        _HINTS[cls] = hints
    return hints


def _convert(value: Any, hint: Any, where: str) -> Any:
    """Check ``value`` against ``hint`` and build dataclasses from dicts."""
    origin = typing.get_origin(hint)
    if hint is Any:
        return value
    if origin in (Union, types.UnionType):
        options = typing.get_args(hint)
        if value is None and type(None) in options:
            return None
        errors = []
        for option in options:
            if option is type(None):
                continue
            try:
                return _convert(value, option, where)
            except ProtocolViolation as exc:
                errors.append(str(exc))
        raise ProtocolViolation(errors[0] if len(errors) == 1 else f"{where}: unexpected value")
    if origin is Literal:
        if value not in typing.get_args(hint):
            allowed = ", ".join(repr(a) for a in typing.get_args(hint))
            raise ProtocolViolation(f"{where} must be one of {allowed}, not {value!r}")
        return value
    if origin is list:
        if not isinstance(value, list):
            raise ProtocolViolation(f"{where} must be a list")
        (item,) = typing.get_args(hint)
        return [_convert(v, item, f"{where}[{i}]") for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise ProtocolViolation(f"{where} must be an object")
        return value
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            raise ProtocolViolation(f"{where} must be an object")
        return _build(hint, value, where)
    expected = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if hint in expected:
        if not isinstance(value, hint) or (hint is int and isinstance(value, bool)):
            raise ProtocolViolation(f"{where} must be {expected[hint]}, not {value!r}")
        return value
    raise ProtocolViolation(f"{where}: unsupported type {hint!r}")


_D = TypeVar("_D", bound="DataclassInstance")


def _build(cls: type[_D], data: dict[str, Any], where: str) -> _D:
    hints = _hints(cls)
    unknown = set(data) - set(hints) - {"type"}
    if unknown:
        raise ProtocolViolation(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    kwargs = {}
    for f in dataclasses.fields(cls):
        if f.name in data:
            kwargs[f.name] = _convert(data[f.name], hints[f.name], f"{where}.{f.name}")
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise ProtocolViolation(f"{where}: missing field '{f.name}'")
    return cls(**kwargs)


def command_from_json(data: Any) -> Command:
    """Validate a decoded JSON object and return the command it describes."""
    if not isinstance(data, dict):
        raise ProtocolViolation("a command must be a JSON object")
    kind = data.get("type")
    if not isinstance(kind, str) or kind not in COMMANDS:
        raise ProtocolViolation(
            f"unknown command type {kind!r}; expected one of {', '.join(sorted(COMMANDS))}"
        )
    return _build(COMMANDS[kind], data, kind)


def event_from_json(data: dict[str, Any]) -> Event:
    """Rebuild an event from JSON (used by clients and tests)."""
    kind = data.get("type")
    cls = None if kind is None else EVENTS.get(kind)
    if cls is None:
        raise ProtocolViolation(f"unknown event type {data.get('type')!r}")
    return _build(cls, data, data["type"])


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def to_json(message: Message) -> dict[str, Any]:
    """A message as a JSON-ready dict with its ``type``."""
    out: dict[str, Any] = {"type": message.type}
    for f in dataclasses.fields(message):
        out[f.name] = _plain(getattr(message, f.name))
    return out


# --------------------------------------------------------------------------
# JSON Schema
# --------------------------------------------------------------------------


def _schema_for(hint: Any, defs: dict[str, Any]) -> dict[str, Any]:
    origin = typing.get_origin(hint)
    if hint is Any:
        return {}
    if origin in (Union, types.UnionType):
        return {"anyOf": [_schema_for(a, defs) for a in typing.get_args(hint)]}
    if hint is type(None):
        return {"type": "null"}
    if origin is Literal:
        return {"enum": list(typing.get_args(hint))}
    if origin is list:
        return {"type": "array", "items": _schema_for(typing.get_args(hint)[0], defs)}
    if origin is dict:
        return {"type": "object"}
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        name = hint.__name__
        if name not in defs:
            defs[name] = {}
            defs[name] = _object_schema(hint, defs)
        return {"$ref": f"#/$defs/{name}"}
    simple = {str: "string", int: "integer", float: "number", bool: "boolean"}
    return {"type": simple[hint]}


def _object_schema(cls: type, defs: dict[str, Any]) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    required: list[str] = []
    kind = getattr(cls, "type", None)
    if isinstance(kind, str):
        properties["type"] = {"const": kind}
        required.append("type")
    for f in dataclasses.fields(cls):
        properties[f.name] = _schema_for(_hints(cls)[f.name], defs)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            required.append(f.name)
    schema = {
        "type": "object",
        "description": (cls.__doc__ or "").strip(),
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }
    return schema


def json_schema() -> dict[str, Any]:
    """The JSON Schema of every protocol message, generated from the dataclasses."""
    defs: dict[str, Any] = {}
    for cls in (*COMMANDS.values(), *EVENTS.values()):
        defs[cls.__name__] = _object_schema(cls, defs)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"Playground kernel protocol v{PROTOCOL_VERSION}",
        "$defs": defs,
        "oneOf": [
            {"title": "command", "oneOf": [{"$ref": f"#/$defs/{c.__name__}"}
                                           for c in COMMANDS.values()]},
            {"title": "event", "oneOf": [{"$ref": f"#/$defs/{c.__name__}"}
                                         for c in EVENTS.values()]},
        ],
    }


if __name__ == "__main__":  # regenerate docs/protocol.schema.json
    import json

    print(json.dumps(json_schema(), indent=2))
