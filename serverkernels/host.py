"""The worker's side of a server kernel session: one sandboxed kernel, its commands and events.

A Celery worker of the ``kernels`` queue runs :func:`host_session` for each start
of a session (serverkernels.tasks); the task holds one of the worker's slots for
the session's whole life. It

- claims the start (a task delivered twice, or for an older start, does nothing);
- starts the kernel in its sandbox (:mod:`serverkernels.sandbox`) and reads its
  events with the shared stdio client (:mod:`kernels.transports.stdio_client`);
- numbers each event and hands it to the session's channel-layer group (live)
  and its Redis stream (replay), unchanged inside ``{"seq": n, "event": ...}``;
- reads commands from the session's Redis stream and writes them to the kernel;
  ``interrupt`` reaches the kernel at once, as over any stdio kernel; before a
  command that may run cells, installs the pure-Python packages they import and
  the kernel lacks (:mod:`serverkernels.extras`, when ``HostConfig.extras`` is set),
  with ``{"notice": ...}`` frames for the page;
- beats every second, so the service knows it is alive (:mod:`serverkernels.store`);
- ends it: on ``shutdown`` / ``restart`` control, when a limit killed the kernel
  (the message names the limit), when it has been idle too long (nothing
  running, no page connected, no command for ``idle_seconds``) or too old, and
  when its worker begins a warm shutdown (state ``lost``: restart elsewhere).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

from kernels.runtime import protocol as p
from kernels.runtime.folder_sync import EVENT_MAX_BYTES, write_commands
from kernels.transports.session import encode
from kernels.transports.stdio_client import StdioKernelClient
from serverkernels import sandbox
from serverkernels.extras import ExtrasConfig, KernelExtras
from serverkernels.pool import KernelPool, start_kernel
from serverkernels.store import Store
from serverkernels.written import Written, WrittenCollector

log = logging.getLogger(__name__)

#: Events whose last one per cell is kept, to show at once when the session is reopened.
KEPT_OUTPUTS = frozenset({"output", "cell_error"})


@dataclass(frozen=True)
class HostConfig:
    limits: sandbox.Limits
    runtime_root: Path
    idle_seconds: float = 20 * 60
    max_age_seconds: float = 12 * 3600
    allow_unsandboxed: bool = False
    python: str | None = None
    #: Installing what cells import from the wheel index (None: off).
    extras: ExtrasConfig | None = None


DRAINED_MESSAGE = ("The server running this kernel was restarted. Restart the kernel to go on:"
                   " your code and its last outputs are kept.")

Publish = Callable[[str, str], None]  # (session id, frame) -> deliver to the live group


@dataclass(frozen=True)
class StoredFile:
    """One file of the notebook's folder as stored: read only when given to the kernel,
    one part at a time, through ``open`` (a stream from its start; the caller closes it)."""

    sha256: str
    size: int
    open: Callable[[], IO[bytes]]


class Folder(Protocol):
    """The notebook's folder for a session: read it, and save what the kernel wrote.

    The worker side of docs/folders.md, "Server kernels" (serverkernels.folders);
    ``None`` in place of one leaves the kernel's working directory empty.
    """

    def load(self, session_id: str) -> dict[str, StoredFile]:
        """The files of the session notebook's current folder, by path (no bytes read)."""

    def file_max_bytes(self) -> int:
        """The largest file the folder takes (larger ones are not even sent)."""

    def save(self, session_id: str, written: Written) -> str:
        """Save what one run wrote; the notice to show the person."""


class SessionHost:
    """One start of one session, in a worker."""

    def __init__(self, store: Store, session_id: str, epoch: int, worker: str,
                 config: HostConfig, publish: Publish, pool: KernelPool | None = None,
                 draining: threading.Event | None = None, folder: Folder | None = None) -> None:
        self.store = store
        self.folder = folder
        #: sha256 of each file the kernel was given: a folder update sends only changes.
        self._given: dict[str, str] = {}
        #: The files the running run has sent so far (``files_written`` come in several).
        self._written: WrittenCollector | None = None
        #: Set when the worker begins a warm shutdown (a deploy): the session ends
        #: at once, so the worker can exit and the person restarts on another one.
        self.draining = draining or threading.Event()
        self._pool = pool
        self.session_id = session_id
        self.epoch = epoch
        self.worker = worker
        self.config = config
        self._publish = publish
        self.kernel: sandbox.SandboxedProcess | None = None
        self.client: StdioKernelClient | None = None
        self.extras: KernelExtras | None = None
        self.busy = False
        self.ready = False  # until the kernel says kernel_ready
        self.last_command = time.time()
        self.started = time.time()
        self._run_bytes = 0
        self._cut_message = ""
        self._stop = threading.Event()

    # -- frames out

    def send_frame(
        self, body: dict[str, Any] | None = None, *, event_text: str | None = None
    ) -> None:
        """One frame to the session's pages: a kernel event's text as it is, or ``body``."""
        if event_text is not None:
            text = '{"event":' + event_text + "}"
        else:
            text = json.dumps(body, separators=(",", ":"))
        _, frame = self.store.append_frame(self.session_id, text)
        self._publish(self.session_id, frame)

    def set_state(self, state: str, message: str = "") -> None:
        self.store.update(self.session_id, state=state, message=message)
        self.send_frame({"session": {"state": state, "message": message}})

    def _on_line(self, stamp: float, text: str, event: dict[str, Any]) -> None:
        kind = event.get("type")
        if kind == "files_written":
            # Saved here, not sent to the page (the bytes are the folder's, not output),
            # and not counted as output: their lines are bounded by watch_event_bytes.
            if self._written is not None and (written := self._written.add(event)) is not None:
                self._save_written(written)
            return
        self._run_bytes += len(text)
        if self._run_bytes > self.config.limits.output_bytes_per_run and self.kernel is not None:
            if not self._cut_message:
                self._cut_message = self._output_message()
                self.kernel.kill()
            return
        self.send_frame(event_text=text)
        cell = event.get("cell_id")
        if kind in KEPT_OUTPUTS and isinstance(cell, str):
            self.store.keep_output(self.session_id, cell, text)
        elif kind == "cell_status" and isinstance(cell, str) and event.get("status") == "running":
            self.store.keep_output(self.session_id, cell, None)
            if not self.busy:
                self.busy = True
                self.set_state("running")
        elif kind == "run_completed":
            self._run_bytes = 0
            if self.busy:
                self.busy = False
                self.set_state("idle")
        elif kind == "kernel_ready":
            # The idle clock starts when the kernel is up: a slow start is not idleness.
            self.last_command = max(self.last_command, time.time())
            self.ready = True
            self.set_state("idle")

    def _output_message(self) -> str:
        limit = sandbox.format_bytes(self.config.limits.output_bytes_per_run)
        return f"The kernel was stopped: one run sent more than {limit} of output."

    # -- the kernel

    def _start_kernel(self) -> None:
        self._run_bytes = 0
        self._cut_message = ""
        self.busy = False
        self.ready = False
        started = self._pool.take() if self._pool is not None else None
        if started is None:
            started = start_kernel(
                limits=self.config.limits, runtime_root=self.config.runtime_root,
                python=self.config.python, allow_unsandboxed=self.config.allow_unsandboxed,
                extras=self.config.extras,
            )
        self.kernel, self.client, self.extras = started.kernel, started.client, started.extras
        # Its kernel_ready (kept while it waited in the pool) comes through first.
        started.relay.attach(self._on_line, lambda notice: self.send_frame({"notice": notice}))
        if self.folder is not None:
            self._given = {}
            file_max = self.folder.file_max_bytes()
            self._written = WrittenCollector(file_max_bytes=file_max,
                                             run_max_bytes=self.config.limits.workdir_bytes)
            self.client.send_raw(json.dumps({
                "type": "set_config", "watch_files": True,
                "watch_event_bytes": self.watch_event_bytes(), "watch_file_max_bytes": file_max,
            }))
            self._sync_folder()

    def watch_event_bytes(self) -> int:
        """How long a ``files_written`` line may be: well under the reader's line bound
        (``output_bytes_per_run``), which a longer line would overflow, killing the kernel."""
        return min(EVENT_MAX_BYTES, self.config.limits.output_bytes_per_run // 2)

    # -- the notebook's folder

    def _sync_folder(self) -> None:
        """Give the kernel the files of the folder it does not have as they are now, over
        as many ``write_files`` as it takes for each line to stay within
        :meth:`watch_event_bytes` (a large file in parts, read from storage one part at a
        time); the kernel announces the change after the last."""
        if self.folder is None or self.client is None:
            return
        try:
            current = self.folder.load(self.session_id)
        except Exception:
            self._sync_failed()
            return
        changed = sorted(path for path, stored in current.items()
                         if self._given.get(path) != stored.sha256)
        removed = sorted(set(self._given) - set(current))
        if not changed and not removed:
            return
        before = self._given
        self._given = {path: stored.sha256 for path, stored in current.items()}
        commands = folder_commands(current, changed, removed, self.watch_event_bytes())
        sent = more = False
        while True:
            try:
                command = next(commands, None)
            except Exception:
                # Storage failed part way: the files not all given are given again next
                # time (and the removals, if none was sent), and a change left open is
                # closed (the kernel drops what did not all come, and announces what did).
                for path in changed:
                    self._given.pop(path, None)
                if not sent:
                    self._given.update((path, before[path]) for path in removed)
                command = p.WriteFiles([]) if more else None
                self._sync_failed()
            if command is None:
                return
            try:
                self.client.send_raw(encode(command))
            except (BrokenPipeError, ValueError):
                return  # the kernel died; found by the loop
            sent, more = True, command.more

    def _sync_failed(self) -> None:
        log.exception("reading the folder of session %s failed", self.session_id)
        self.send_frame({"notice": "The notebook's files could not be read just now; "
                                   "restart the kernel to try again."})

    def _save_written(self, written: Written) -> None:
        assert self.folder is not None
        try:
            notice = self.folder.save(self.session_id, written)
        except Exception:
            log.exception("saving the files session %s wrote failed", self.session_id)
            notice = ("The files Python wrote could not be saved to the notebook's folder "
                      "just now; they are still in the kernel.")
        finally:
            written.close()
        for item in written.files:
            self._given[item.path] = item.sha256
        for path in written.removed:
            self._given.pop(path, None)
        if notice:
            self.send_frame({"notice": notice})

    def _stop_kernel(self) -> None:
        if self.client is not None and not self.client.ended:
            try:
                self.client.close(timeout=5)
            except OSError:
                pass
        if self.kernel is not None:
            self.kernel.cleanup()
        if self.extras is not None:
            self.extras.cleanup()
        if self._written is not None:
            self._written.discard()  # a run cut short: its files never all came
        self.client = None
        self.kernel = None
        self.extras = None

    @staticmethod
    def _is_files_changed(text: str) -> bool:
        try:
            return bool(json.loads(text).get("type") == "files_changed")
        except (ValueError, AttributeError):
            return False

    def _death_message(self) -> str:
        assert self.kernel is not None
        if self.client is not None and self.client.overflowed:
            self._cut_message = self._output_message()
        if self._cut_message:
            return self._cut_message
        self.kernel.wait()
        limit = self.kernel.classify_exit()
        if limit:
            return limit
        code = self.kernel.popen.returncode
        return f"The kernel stopped unexpectedly (exit status {code})."

    # -- the loop

    def _beat(self) -> None:
        while not self._stop.wait(1.0):
            try:
                memory = 0
                if self.kernel is not None:
                    memory = self.kernel.usage().memory_bytes or 0
                self.store.beat(self.session_id, memory)
            except Exception:  # Redis away for a moment: the next beat tries again
                log.exception("heartbeat of session %s failed", self.session_id)

    def _idle_too_long(self, now: float) -> str | None:
        if self.busy:
            return None
        if now - self.started > self.config.max_age_seconds:
            return "The kernel was shut down: it reached its maximum age."
        if not self.ready:
            return None
        if (now - self.last_command > self.config.idle_seconds
                and self.store.clients(self.session_id) == 0):
            return "The kernel was shut down after being idle; its last outputs are kept."
        return None

    def run(self) -> str:
        """Host the session until it ends; what ended it."""
        if not self.store.claim(self.session_id, self.epoch, self.worker):
            return "not claimed"
        beat = threading.Thread(target=self._beat, name=f"beat-{self.session_id}", daemon=True)
        beat.start()
        try:
            return self._serve()
        finally:
            self._stop.set()
            self._stop_kernel()

    def _serve(self) -> str:
        try:
            self._start_kernel()
        except sandbox.SandboxUnavailable as exc:
            self.set_state("dead", str(exc))
            return "dead"
        after = "0"
        while True:
            for entry_id, fields in self.store.read_commands(self.session_id, after, 500):
                after = entry_id
                control = fields.get("control")
                if control == "shutdown":
                    self.set_state("stopped", "The kernel was shut down.")
                    return "stopped"
                if control == "restart":
                    self._stop_kernel()
                    self.set_state("starting")
                    self._start_kernel()
                    continue
                text = fields.get("c")
                if (text is not None and self.folder is not None and '"files_changed"' in text
                        and self._is_files_changed(text)):
                    # The page saw the folder change: the kernel gets the changed files
                    # (write_files re-runs the importers of changed modules itself).
                    self._sync_folder()
                    continue
                if text is not None and self.client is not None and not self.client.ended:
                    self.last_command = time.time()
                    if self.extras is not None:
                        self.extras.before_command(text)  # waits for the installs it needs
                    try:
                        self.client.send_raw(text)
                    except (BrokenPipeError, ValueError):
                        pass  # it died; found below
            if self.client is not None and self.client.ended:
                message = self._death_message()
                self.set_state("dead", message)
                return "dead"
            if self.store.get(self.session_id) is None:
                return "forgotten"
            if self.draining.is_set():
                self.set_state("lost", DRAINED_MESSAGE)
                return "lost"
            culled = self._idle_too_long(time.time())
            if culled:
                self.set_state("culled", culled)
                return "culled"


def folder_commands(files: dict[str, StoredFile], paths: list[str], removed: list[str],
                    max_bytes: int) -> Iterator[p.WriteFiles]:
    """The ``write_files`` that give a kernel ``paths`` of ``files`` and remove
    ``removed``: each line (:func:`~kernels.transports.session.encode`) at most
    ``max_bytes`` long, ``more`` true on all but the last. A file is read as the
    commands are taken, one part at a time."""
    given = [(path, files[path].size, files[path].open) for path in paths]
    return write_commands(given, removed, max_bytes)
