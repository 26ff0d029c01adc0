"""Running one cell: its namespace, its streams (stdin too), its tracebacks.

Each run of a cell gets a fresh globals dict holding only the names it reads
(copied from the notebook's shared namespace) plus its own private names;
afterwards only the names it defines are copied back. So a cell cannot
reach names it does not declare by reading them, private ``_names`` never
leak, and functions defined in a cell keep seeing the values the cell ran
with.

While a cell runs, ``sys.stdout``/``sys.stderr`` are :class:`StreamWriter` and
``sys.stdin`` is :class:`CellInput`: whole text streams whose output becomes
stream events and whose reads ask the user through the kernel's transport.
"""

from __future__ import annotations

import builtins
import codecs
import io
import linecache
import operator
import sys
import traceback
from collections.abc import Callable
from typing import Any

from kernels.runtime import streams
from kernels.runtime.protocol import StreamName
from kernels.runtime.streams import BATCH_CHARS, BATCH_SECONDS, StreamBatcher


def cell_filename(cell_id: str) -> str:
    """The pseudo file name a cell's code runs under (seen in tracebacks)."""
    return f"<cell {cell_id}>"


def register_source(cell_id: str, code: str) -> None:
    """Let tracebacks show a cell's source lines."""
    filename = cell_filename(cell_id)
    linecache.cache[filename] = (len(code), None, code.splitlines(keepends=True), filename)


def forget_source(cell_id: str) -> None:
    """Drop a deleted cell's source from the traceback cache."""
    linecache.cache.pop(cell_filename(cell_id), None)


# How much of the current line a stream remembers for input()'s prompt.
_PROMPT_MAX = 1000
# A partial line longer than this goes to the batch without waiting for its newline.
_PARTIAL_MAX = 8192

# What input() says when the kernel has no way to ask anyone (a script run).
NO_INPUT = (
    "this cell cannot read standard input: nobody can type into this kernel (it runs "
    "the notebook as a script); use a UI element instead (ui.text), set with --set"
)

# (prompt, password) -> the line typed, without its newline; None at end of input.
AskLine = Callable[[str, bool], "str | None"]


class _CellStream:
    """The text-stream interface (``io.TextIOBase``'s) shared by a cell's standard streams.

    Plain classes registered as ``io.TextIOBase`` rather than subclasses of it:
    ``isinstance`` checks pass, and a cell's run does not pay for the C base's
    finalizer (three streams per cell run). No terminal, no file descriptor, no
    seeking; ``close()`` only flushes: the streams are the kernel's.
    """

    _no_descriptor = "a cell's output streams have no file descriptor"
    closed = False
    newlines = None

    def isatty(self) -> bool:
        return False

    def seekable(self) -> bool:
        return False

    def readable(self) -> bool:
        return False

    def writable(self) -> bool:
        return False

    def fileno(self) -> int:
        raise io.UnsupportedOperation(self._no_descriptor)

    def seek(self, offset: int, whence: int = 0) -> int:
        raise io.UnsupportedOperation("a cell's streams cannot seek")

    def tell(self) -> int:
        raise io.UnsupportedOperation("a cell's streams cannot tell a position")

    def truncate(self, size: int | None = None) -> int:
        raise io.UnsupportedOperation("a cell's streams cannot be truncated")

    def detach(self) -> Any:
        raise io.UnsupportedOperation("a cell's streams have no buffer to detach")

    def read(self, size: int | None = -1) -> str:
        raise io.UnsupportedOperation("not readable")

    def readline(self, size: int | None = -1) -> str:
        raise io.UnsupportedOperation("not readable")

    def readlines(self, hint: int | None = -1) -> list[str]:
        hint = _size(hint)
        lines: list[str] = []
        total = 0
        for line in self:
            lines.append(line)
            total += len(line)
            if 0 < hint <= total:
                break
        return lines

    def __iter__(self) -> _CellStream:
        return self

    def __next__(self) -> str:
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    def write(self, text: str) -> int:
        raise io.UnsupportedOperation("not writable")

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.flush()

    def __enter__(self) -> _CellStream:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()


class StreamWriter(_CellStream):
    """``sys.stdout`` / ``sys.stderr`` while a cell runs: text that becomes stream events.

    What the cell writes is kept here and moved into the run's
    :class:`~kernels.runtime.streams.StreamBatcher` in whole lines (a partial
    line waits for its newline, an explicit ``flush()``, :data:`_PARTIAL_MAX`
    characters or the end of the cell); the batcher turns it into few ``stream``
    events and caps what a run sends. Writing is the hot path of a loop of
    ``print``: a write only appends, and a write that ends a line also reads
    the clock to see whether the last send is older than ``BATCH_SECONDS``
    (then everything waiting goes out at once).

    It is a whole text stream, so libraries that look at ``sys.stdout`` import
    and run: ``encoding`` (UTF-8), ``errors``, ``isatty()`` (False), ``fileno()``
    (``io.UnsupportedOperation``: there is no file descriptor), ``buffer`` (bytes
    written there are decoded and sent as text), ``reconfigure()``. ``close()``
    only flushes: the stream belongs to the kernel, and the cell's later output
    must still arrive.
    """

    mode = "w"
    # Class-level defaults: a cell's run makes two of these, so set only what differs.
    _line = ""  # the text of the current line already sent (input()'s prompt)
    _encoding = "utf-8"
    _errors = "replace"
    _line_buffering = False
    _buffer: _BinaryOutput | None = None
    _size = 0  # characters in _parts

    def __init__(self, name: StreamName, sink: StreamBatcher) -> None:
        self._channel = name  # the stream event's name
        self._sink = sink
        self._parts: list[str] = []  # written, not yet in the batch; may end inside a line

    @property
    def name(self) -> str:
        return f"<{self._channel}>"

    @property
    def encoding(self) -> str:
        return self._encoding

    @property
    def errors(self) -> str:
        return self._errors

    @property
    def line_buffering(self) -> bool:
        return self._line_buffering

    @property
    def buffer(self) -> _BinaryOutput:
        if self._buffer is None:
            self._buffer = _BinaryOutput(self)
        return self._buffer

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        sink = self._sink
        if sink.writer is not self:
            sink.switch_to(self)  # the other stream's lines go first: order is kept
        self._parts.append(text)
        size = self._size = self._size + len(text)
        if "\n" in text:
            if streams.monotonic() - sink.sent_at >= BATCH_SECONDS:
                sink.send_now()
            elif size >= BATCH_CHARS:
                if self.take(whole_lines=True):
                    sink.send_now()
            elif sink.timer is None:
                sink.start_timer()
        elif size > _PARTIAL_MAX and self.take(whole_lines=True):
            sink.send_now()
        return len(text)

    def take(self, *, whole_lines: bool) -> bool:
        """Move what was written into the batch: its whole lines, or everything.

        A partial line longer than ``_PARTIAL_MAX`` goes too, so text without
        newlines cannot pile up here. True when the batch is now large enough to send.
        """
        parts = self._parts
        if not parts:
            return False
        text = parts[0] if len(parts) == 1 else "".join(parts)
        parts.clear()
        self._size = 0
        if whole_lines:
            cut = text.rfind("\n") + 1
            if cut:
                if cut < len(text):
                    parts.append(text[cut:])
                    self._size = len(text) - cut
                    text = text[:cut]
            elif len(text) <= _PARTIAL_MAX:
                parts.append(text)
                self._size = len(text)
                return False
        newline = text.rfind("\n")
        self._line = text[newline + 1:] if newline >= 0 else (self._line + text)[-_PROMPT_MAX:]
        return self._sink.add(self._channel, text)

    def flush(self) -> None:
        """Move a partial line into the batch too; it goes out with it (within about 50 ms)."""
        sink = self._sink
        if sink.writer is not self:
            sink.switch_to(self)
        if self.take(whole_lines=False) or streams.monotonic() - sink.sent_at >= BATCH_SECONDS:
            sink.send_now()
        elif sink.timer is None:
            sink.start_timer()

    def send_now(self) -> None:
        """Send what the run's streams wrote so far, now (before the cell waits or shows more)."""
        self.flush()
        self._sink.send_now()

    def current_line(self) -> str:
        """What was written on the current line so far (after the last newline or ``\\r``)."""
        self.flush()
        return self._line.rpartition("\r")[2]

    def writable(self) -> bool:
        return True

    def reconfigure(
        self, *, encoding: str | None = None, errors: str | None = None,
        newline: str | None = None, line_buffering: bool | None = None,
        write_through: bool | None = None,
    ) -> None:
        """Accepted for scripts that call it; text is sent as text whatever the encoding."""
        if encoding is not None:
            self._encoding = codecs.lookup(encoding).name
        if errors is not None:
            self._errors = errors
        if line_buffering is not None:
            self._line_buffering = bool(line_buffering)
        if encoding is not None or errors is not None:
            self._buffer = None  # decode what comes next with the new settings


class _BinaryOutput(io.BufferedIOBase):
    """``sys.stdout.buffer`` of a cell: bytes decoded with the stream's encoding, sent as text."""

    def __init__(self, text: StreamWriter) -> None:
        super().__init__()
        self._text = text
        self._decoder = codecs.getincrementaldecoder(text.encoding)(text.errors)

    def write(self, data: Any) -> int:
        if isinstance(data, str):
            raise TypeError("a bytes-like object is required, not 'str'")
        chunk = bytes(data)
        self._text.write(self._decoder.decode(chunk))
        return len(chunk)

    def flush(self) -> None:
        self._text.flush()

    def close(self) -> None:
        self.flush()

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        raise io.UnsupportedOperation(self._text._no_descriptor)


class CellInput(_CellStream):
    """``sys.stdin`` while a cell runs: lines the user types when the cell asks.

    Reading (``input()``, ``readline()``, ``read()``, iteration, ``getpass``)
    with nothing typed yet calls ``ask`` with the prompt (what the cell printed
    on the current line of stdout) and waits for the line; the kernel turns that
    into an ``input_request`` event, and the transport waits for the
    ``input_reply``. The line typed is echoed to stdout as a terminal would
    (only the newline for a password). ``ask`` returning ``None`` is the end of
    input (``input()`` raises ``EOFError``); with no ``ask`` at all (nobody can
    type: a script run) reading raises ``EOFError(refusal)``.
    """

    _no_descriptor = "a cell's standard input has no file descriptor"
    encoding = "utf-8"
    errors = "strict"
    name = "<stdin>"
    mode = "r"
    line_buffering = False
    _typed = ""  # lines typed and not read yet, each ending with a newline
    _buffer: _BinaryInput | None = None

    def __init__(self, stdout: StreamWriter, ask: AskLine | None, refusal: str = NO_INPUT) -> None:
        self._stdout = stdout
        self._ask = ask
        self._refusal = refusal
        if not _getpass_routed:
            _route_getpass()

    @property
    def buffer(self) -> _BinaryInput:
        if self._buffer is None:
            self._buffer = _BinaryInput(self)
        return self._buffer

    def _ask_line(self, password: bool = False) -> bool:
        """Ask for one more line; False at the end of input."""
        if self._ask is None:
            raise EOFError(self._refusal)
        prompt = self._stdout.current_line()
        self._stdout.send_now()  # the prompt shows before the request
        text = self._ask(prompt, password)
        if text is None:
            return False
        self._stdout.write("\n" if password else text + "\n")
        self._typed += text + "\n"
        return True

    def readline(self, size: int | None = -1) -> str:
        size = _size(size)
        if size == 0 or (not self._typed and not self._ask_line()):
            return ""
        end = self._typed.index("\n") + 1
        if 0 <= size < end:
            end = size
        line, self._typed = self._typed[:end], self._typed[end:]
        return line

    def read(self, size: int | None = -1) -> str:
        size = _size(size)
        while size < 0 or len(self._typed) < size:
            if not self._ask_line():
                break
        if size < 0:
            size = len(self._typed)
        text, self._typed = self._typed[:size], self._typed[size:]
        return text

    def read_password(self, prompt: str) -> str:
        """``getpass.getpass`` in a cell: the prompt on stdout, the line typed not shown."""
        self._stdout.write(prompt)
        if not self._typed and not self._ask_line(password=True):
            raise EOFError
        line, _, self._typed = self._typed.partition("\n")
        return line

    def readable(self) -> bool:
        return True


io.TextIOBase.register(StreamWriter)
io.TextIOBase.register(CellInput)


class _BinaryInput(io.BufferedIOBase):
    """``sys.stdin.buffer`` of a cell: the lines typed, encoded as UTF-8."""

    def __init__(self, text: CellInput) -> None:
        super().__init__()
        self._text = text
        self._bytes = b""

    def readable(self) -> bool:
        return True

    def readline(self, size: int | None = -1) -> bytes:
        size = _size(size)
        if b"\n" not in self._bytes:
            self._bytes += self._text.readline().encode()
        end = self._bytes.find(b"\n") + 1 or len(self._bytes)
        if 0 <= size < end:
            end = size
        line, self._bytes = self._bytes[:end], self._bytes[end:]
        return line

    def read(self, size: int | None = -1) -> bytes:
        size = _size(size)
        while size < 0 or len(self._bytes) < size:
            line = self._text.readline()
            if not line:
                break
            self._bytes += line.encode()
        if size < 0:
            size = len(self._bytes)
        data, self._bytes = self._bytes[:size], self._bytes[size:]
        return data

    read1 = read

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        raise io.UnsupportedOperation(self._text._no_descriptor)


def _size(size: Any) -> int:
    if size is None:
        return -1
    return operator.index(size)


_plain_getpass: Callable[..., str] | None = None
_getpass_routed = False


def _cell_getpass(prompt: str = "Password: ", stream: Any = None, **options: Any) -> str:
    """``getpass.getpass``: in a cell, asks like ``input()`` with the text hidden."""
    stdin = sys.stdin
    if isinstance(stdin, CellInput):
        return stdin.read_password(prompt)
    assert _plain_getpass is not None
    return _plain_getpass(prompt, stream, **options)


def _route_getpass() -> None:
    """Make ``getpass.getpass`` ask through the cell's stdin (once; harmless outside cells).

    Otherwise it would open the kernel process's terminal (``/dev/tty``) or
    warn that the password may be echoed.
    """
    global _plain_getpass, _getpass_routed
    import getpass

    if getpass.getpass is not _cell_getpass:
        _plain_getpass = getpass.getpass
        getpass.getpass = _cell_getpass
    _getpass_routed = True


def base_namespace() -> dict[str, Any]:
    """What every cell's globals start with: a module's, as an imported module has them.

    ``__builtins__`` is the builtins' dict, as Python gives every module but
    ``__main__``: libraries that inspect a caller's globals (marimo's cache does)
    expect that.
    """
    return {"__name__": "__main__", "__builtins__": builtins.__dict__, "__doc__": None}


def format_exception(exc: BaseException, filename_prefix: str = "<cell ") -> str:
    """A traceback that starts at the first cell frame, hiding the kernel's own."""
    tb = exc.__traceback__
    while tb is not None and not tb.tb_frame.f_code.co_filename.startswith(filename_prefix):
        tb = tb.tb_next
    if tb is None:
        tb = exc.__traceback__
    return "".join(traceback.format_exception(type(exc), exc, tb))


def in_cell_code(frame: Any) -> bool:
    """Whether a frame belongs to, or was called from, a cell's code."""
    while frame is not None:
        if frame.f_code.co_filename.startswith("<cell "):
            return True
        frame = frame.f_back
    return False


def set_streams(stdout: Any, stderr: Any, stdin: Any) -> tuple[Any, Any, Any]:
    """Swap ``sys`` streams, returning the previous ones."""
    previous = (sys.stdout, sys.stderr, sys.stdin)
    sys.stdout, sys.stderr, sys.stdin = stdout, stderr, stdin
    return previous
