"""The server kernels' sandbox (serverkernels/sandbox.py), with real processes.

What a notebook's code can see and reach inside it (environment, /proc, the
service's files, the network, another session's files), and how each limit stops
it (processes, memory, CPU time, file size, disk), down to the message the user
gets. Nothing is mocked: every test starts bubblewrap, which CI installs, and makes
real cgroups, which CI (root, cgroup v1) can; a host without them fails here with
what is missing, never skips. No sleeps: tests wait for a process's output or exit,
and each removes every cgroup it made (the ``sandboxes`` fixture checks).
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from serverkernels.sandbox import (
    KERNEL_ARGS,
    SANDBOX_HOME,
    GiB,
    Limits,
    MiB,
    SandboxedProcess,
    SandboxSupport,
    SandboxUnavailable,
    child_environment,
    format_bytes,
    probe,
    remove_stale_cgroups,
    spawn,
)

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 180  # only how long a broken sandbox takes to fail a test
# Small limits, so the tests that hit them finish quickly.
SMALL = Limits(memory_bytes=256 * MiB, processes=64, file_size_bytes=1 * MiB,
               workdir_bytes=8 * MiB, cpu_seconds=600)

pytestmark = pytest.mark.subprocess

Start = Callable[..., SandboxedProcess]


@pytest.fixture(scope="module")
def support() -> SandboxSupport:
    found = probe()
    assert found.sandbox_works, f"no sandbox on this host: {found.bwrap_problem}"
    missing = {"memory", "pids", "cpu", "cpuacct"} - {c.name for c in found.cgroups}
    assert not missing, (
        f"these tests need writable {sorted(missing)} cgroups (run as root, as CI does): "
        f"{found.cgroup_problems}"
    )
    return found


@pytest.fixture
def sandboxes(support: SandboxSupport) -> Iterator[Start]:
    """Starts sandboxes; at the end cleans them up and checks no cgroup of theirs is left."""
    started: list[SandboxedProcess] = []

    def start(code: str | None = None, *, args: tuple[str, ...] | None = None,
              limits: Limits = SMALL, **options: Any) -> SandboxedProcess:
        process = spawn(args or ("-c", code or ""), runtime_root=ROOT, limits=limits,
                        support=support, **options)
        started.append(process)
        assert process.sandboxed and process.cgroup_paths
        assert all(path.is_dir() for path in process.cgroup_paths)
        return process

    yield start
    for process in started:
        process.cleanup()
    for process in started:
        assert process.leftover_cgroups == []
        assert [path for path in process.cgroup_paths if path.exists()] == []
    for controller in support.cgroups:
        if controller.parent.is_dir():
            ours = [p for p in controller.parent.iterdir() if p.name.startswith(f"kernel-{os.getpid()}-")]
            assert ours == []


def finish(process: SandboxedProcess, stdin: bytes | None = None) -> tuple[int, str, str]:
    out, err = process.popen.communicate(stdin, timeout=TIMEOUT)
    return process.popen.returncode, out.decode(), err.decode()


def last_json(output: str) -> Any:
    return json.loads(output.strip().splitlines()[-1])


def read_line(process: SandboxedProcess) -> str:
    """The next line of the process's stdout, waiting for it (not for the clock)."""
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        assert selector.select(TIMEOUT), "the sandbox printed nothing"
    return process.stdout.readline().decode()


# --------------------------------------------------------------------------
# What the child sees
# --------------------------------------------------------------------------

SECRETS = {
    "SECRET_KEY": "django-insecure-sekrit-0f9a",
    "DATABASE_URL": "postgres://app:pw-sekrit-77@127.0.0.1:5432/playground",
    "REDIS_URL": "redis://:redis-sekrit-31@127.0.0.1:6379/0",
    "AWS_SECRET_ACCESS_KEY": "aws-sekrit-5c1d",
    "S3_SECRET_ACCESS_KEY": "s3-sekrit-9e2b",
    "PLAYGROUND_API_TOKEN": "pgt_sekrit_42",
    "CELERY_BROKER_URL": "redis://:broker-sekrit-8@127.0.0.1:6379/1",
}


def test_the_child_gets_only_the_allow_listed_environment(sandboxes: Start, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    code = """
import json, os
environs = {}
for pid in sorted(p for p in os.listdir("/proc") if p.isdigit()):
    try:
        environs[pid] = open(f"/proc/{pid}/environ", "rb").read().decode(errors="replace")
    except OSError as exc:
        environs[pid] = repr(exc)
print(json.dumps({"environ": dict(os.environ), "proc": environs}))
"""
    code_rc, out, err = finish(sandboxes(code))
    assert code_rc == 0, err
    seen = last_json(out)
    assert set(seen["environ"]) == set(child_environment(threads=SMALL.threads)) | {"PWD"}
    assert seen["environ"]["HOME"] == str(SANDBOX_HOME)
    assert seen["environ"]["PYTHONPATH"] == "/opt/playground"
    assert set(seen["proc"]) == {"1", "2"}  # bwrap's init and this process
    # Neither the secrets set here nor the test run's own service addresses, anywhere.
    leaks = [*SECRETS.values(), os.environ["PLAYGROUND_TEST_DATABASE_URL"],
             os.environ["PLAYGROUND_TEST_REDIS_URL"], os.environ["S3_ENDPOINT_URL"]]
    assert [value for value in leaks if value in out] == []
    assert "SECRET" not in out and "AWS_" not in out and "DATABASE_URL" not in out


def test_proc_shows_only_the_sandboxs_own_processes(sandboxes: Start, support: SandboxSupport) -> None:
    code = """
import json, os
cmdlines = {p: open(f"/proc/{p}/cmdline", "rb").read().replace(b"\\0", b" ").decode()
            for p in os.listdir("/proc") if p.isdigit()}
print(json.dumps({"me": os.getpid(), "uid": os.getuid(), "cmdlines": cmdlines,
                  "cgroup": open("/proc/self/cgroup").read()}))
"""
    code_rc, out, err = finish(sandboxes(code))
    assert code_rc == 0, err
    seen = last_json(out)
    assert seen["me"] == 2 and seen["uid"] == 1000
    assert sorted(seen["cmdlines"]) == ["1", "2"]
    assert seen["cmdlines"]["1"].startswith(f"{support.bwrap} --args ")
    # The worker (this pytest) is not there, and bwrap's options (host paths) are off
    # its command line.
    everything = " ".join(seen["cmdlines"].values())
    assert "pytest" not in everything and str(ROOT) not in everything
    # Its own cgroup namespace: the host's group names are hidden.
    assert "playground-kernels" not in seen["cgroup"]


def test_the_services_files_are_out_of_sight_and_the_runtime_is_read_only(
    sandboxes: Start, tmp_path: Path
) -> None:
    planted = tmp_path / "planted-secret.txt"
    planted.write_text("sekrit")
    hidden = [ROOT, ROOT / "playground" / "settings" / "base.py", ROOT / "manage.py",
              ROOT / ".git", ROOT / "var", ROOT / ".env", ROOT / ".venv", planted, tmp_path,
              Path("/root/.bash_history"), Path("/etc/shadow"), Path("/var/run/postgresql"),
              Path("/run/postgresql"), Path("/run/redis"), Path("/sys/fs/cgroup"),
              Path("/opt/playground/manage.py"), Path("/opt/playground/playground"),
              Path("/opt/venv/bin/pip"), Path("/home/kernel/../..") / str(ROOT).lstrip("/")]
    code = f"""
import errno, importlib, json, os
hidden = {[str(p) for p in hidden]!r}
visible = [p for p in hidden if os.path.exists(p)]
writes = {{}}
for target in ["/opt/playground/kernels/planted.py", "/opt/venv/lib/planted", "/usr/planted", "/etc/planted", "/planted", "/opt/planted", "/dev/planted"]:
    try:
        open(target, "w").close()
        writes[target] = "written"
    except OSError as exc:
        writes[target] = errno.errorcode[exc.errno]
imports = {{}}
for name in ["playground.settings", "notebooks", "accounts", "kernels.runtime", "numpy", "pandas", "matplotlib"]:
    try:
        imports[name] = importlib.import_module(name).__file__
    except ImportError as exc:
        imports[name] = type(exc).__name__
print(json.dumps({{"visible": visible, "writes": writes, "imports": imports,
                  "passwd": open("/etc/passwd").read(), "venv": open("/opt/venv/pyvenv.cfg").read()}}))
"""
    code_rc, out, err = finish(sandboxes(code))
    assert code_rc == 0, err
    seen = last_json(out)
    assert seen["visible"] == []
    # Only the home, /tmp and /dev/shm, whose sizes are limited, take files.
    assert set(seen["writes"].values()) == {"EROFS"}, seen["writes"]
    imports = seen["imports"]
    # The venv's editable install maps our Django packages to the repository, which is not there.
    assert imports["playground.settings"] == imports["notebooks"] == imports["accounts"] == "ModuleNotFoundError"
    assert imports["kernels.runtime"] == "/opt/playground/kernels/runtime/__init__.py"
    assert all(imports[name].startswith("/opt/venv/lib/") for name in ("numpy", "pandas", "matplotlib"))
    assert [line.split(":")[0] for line in seen["passwd"].splitlines()] == ["root", "kernel", "nobody"]
    assert str(ROOT) not in seen["venv"]


def _address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    assert parts.hostname and parts.port
    return parts.hostname, parts.port


def test_nothing_on_the_network_is_reachable(sandboxes: Start) -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    listener.setblocking(False)
    with listener, socket.create_connection(listener.getsockname(), timeout=10):
        listener.accept()[0].close()  # it does answer from the host
        targets = [
            _address(os.environ["PLAYGROUND_TEST_DATABASE_URL"]),  # PostgreSQL
            _address(os.environ["PLAYGROUND_TEST_REDIS_URL"]),  # Redis
            _address(os.environ["S3_ENDPOINT_URL"]),  # S3 (moto)
            ("127.0.0.1", 5432), ("127.0.0.1", 6379),
            listener.getsockname(),
            ("1.1.1.1", 443),
        ]
        code = f"""
import errno, json, socket
results = {{}}
for host, port in {targets!r}:
    try:
        socket.create_connection((host, port), timeout=10).close()
        results[f"{{host}}:{{port}}"] = "connected"
    except OSError as exc:
        results[f"{{host}}:{{port}}"] = errno.errorcode.get(exc.errno, repr(exc))
try:
    socket.getaddrinfo("example.com", 443)
    dns = "resolved"
except OSError as exc:
    dns = type(exc).__name__
print(json.dumps({{"results": results, "dns": dns,
                  "interfaces": [name for _, name in socket.if_nameindex()]}}))
"""
        code_rc, out, err = finish(sandboxes(code))
        assert code_rc == 0, err
        seen = last_json(out)
        # Its own network namespace: a loopback of its own where nothing listens, no route out.
        assert seen["results"] == {
            **{f"{host}:{port}": "ECONNREFUSED" for host, port in targets[:-1]},
            "1.1.1.1:443": "ENETUNREACH",
        }
        assert seen["dns"] == "gaierror"
        assert seen["interfaces"] == ["lo"]
        # The sandbox has exited, so any connection it made would be queued by now.
        with pytest.raises(BlockingIOError):
            listener.accept()


@pytest.mark.parametrize("host_workdirs", [True, False], ids=["host-workdirs", "tmpfs-homes"])
def test_two_sessions_never_see_each_others_files(
    sandboxes: Start, tmp_path: Path, host_workdirs: bool
) -> None:
    first_dir, second_dir = tmp_path / "first", tmp_path / "second"
    first_dir.mkdir()
    second_dir.mkdir()
    first = sandboxes("""
import os, sys
open("first-notes.txt", "w").write("first session's data")
print("written", flush=True)
sys.stdin.readline()
print(sorted(os.listdir(".")), flush=True)
""", workdir=first_dir if host_workdirs else None)
    assert read_line(first) == "written\n"
    # While the first session runs and holds its file, the second one looks for it.
    code = f"""
import json, os
home = os.path.expanduser("~")
open("second-notes.txt", "w").write("second session's data")
print(json.dumps({{"cwd": os.getcwd(), "home": sorted(os.listdir(home)),
    "first_dir": os.path.exists({str(first_dir)!r}), "tmp_path": os.path.exists({str(tmp_path)!r}),
    "pids": sorted(p for p in os.listdir("/proc") if p.isdigit())}}))
"""
    code_rc, out, err = finish(sandboxes(code, workdir=second_dir if host_workdirs else None))
    assert code_rc == 0, err
    seen = last_json(out)
    assert seen["cwd"] == str(SANDBOX_HOME)
    assert seen["home"] == ["second-notes.txt"]
    assert not seen["first_dir"] and not seen["tmp_path"]
    assert seen["pids"] == ["1", "2"]
    code_rc, out, err = finish(first, b"go on\n")
    assert code_rc == 0, err
    assert out.splitlines()[-1] == "['first-notes.txt']"
    if host_workdirs:
        # On the host each home holds its own session's file, owned by the worker's user.
        assert [p.name for p in first_dir.iterdir()] == ["first-notes.txt"]
        assert [p.name for p in second_dir.iterdir()] == ["second-notes.txt"]
        assert (second_dir / "second-notes.txt").stat().st_uid == os.getuid()
    else:
        assert list(first_dir.iterdir()) == list(second_dir.iterdir()) == []


# --------------------------------------------------------------------------
# Limits
# --------------------------------------------------------------------------


def test_the_limits_are_set_in_the_child_and_its_cgroups(sandboxes: Start) -> None:
    limits = Limits(memory_bytes=300 * MiB, cpu_seconds=120, processes=50,
                    file_size_bytes=3 * MiB, open_files=77, workdir_bytes=5 * MiB, cpus=0.5)
    process = sandboxes("""
import json, os, resource
names = ["RLIMIT_AS", "RLIMIT_CPU", "RLIMIT_NPROC", "RLIMIT_FSIZE", "RLIMIT_NOFILE", "RLIMIT_CORE"]
tmpfs = {line.split()[1]: line.split()[3] for line in open("/proc/self/mounts") if line.split()[2] == "tmpfs"}
print(json.dumps({"rlimits": {n: resource.getrlimit(getattr(resource, n)) for n in names},
                  "tmpfs": tmpfs, "threads": os.environ["OMP_NUM_THREADS"], "cpus": os.cpu_count()}))
""", limits=limits)
    code_rc, out, err = finish(process)
    assert code_rc == 0, err
    seen = last_json(out)
    assert seen["rlimits"] == {
        "RLIMIT_AS": [300 * MiB] * 2, "RLIMIT_CPU": [120, 122], "RLIMIT_NPROC": [50, 50],
        "RLIMIT_FSIZE": [3 * MiB] * 2, "RLIMIT_NOFILE": [77, 77], "RLIMIT_CORE": [0, 0],
    }
    assert {folder: "size=5120k" in seen["tmpfs"][folder] for folder in ("/home/kernel", "/tmp", "/dev/shm")} == {
        "/home/kernel": True, "/tmp": True, "/dev/shm": True}
    assert seen["threads"] == "1" and seen["cpus"] == 1
    groups = {path.parts[4]: path for path in process.cgroup_paths}  # /sys/fs/cgroup/<controller>/...
    assert (groups["memory"] / "memory.limit_in_bytes").read_text().strip() == str(300 * MiB)
    assert (groups["pids"] / "pids.max").read_text().strip() == "50"
    assert (groups["cpu"] / "cpu.cfs_quota_us").read_text().strip() == "50000"


FORK_BOMB = """
import os, sys
r, w = os.pipe()
started = refused = 0
for _ in range(10000):
    try:
        pid = os.fork()
    except BlockingIOError:
        refused += 1
        if refused == 200:
            break
        continue
    if pid == 0:
        os.close(w)
        os.read(r, 1)  # every child waits until the bomb itself exits
        os._exit(0)
    started += 1
print(started, refused, flush=True)
sys.stdin.readline()
"""

NEIGHBOUR = """
import os
children = []
for _ in range(20):
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    children.append(pid)
print("neighbour forked and reaped", sum(os.waitpid(pid, 0)[1] == 0 for pid in children), flush=True)
"""


def test_a_fork_bomb_is_contained_and_a_neighbour_keeps_working(sandboxes: Start) -> None:
    bomb = sandboxes(FORK_BOMB)
    started, refused = map(int, read_line(bomb).split())
    # bwrap, its init and the bomb itself count against the session's 64 too.
    assert started <= SMALL.processes - 3 and refused == 200
    # While the bomb holds all its processes, another session forks as it likes.
    code_rc, out, err = finish(sandboxes(NEIGHBOUR))
    assert (code_rc, out, err) == (0, "neighbour forked and reaped 20\n", "")
    code_rc, _, err = finish(bomb, b"done\n")
    assert code_rc == 0, err
    assert bomb.usage().processes_refused >= 200
    assert bomb.classify_exit() is None  # it ended by itself; its forks just failed


def test_one_allocation_past_the_memory_limit_is_a_memory_error_and_the_process_lives(sandboxes: Start) -> None:
    code = """
blocks = []
try:
    huge = bytearray(3 * 1024**3)
except MemoryError:
    print("3 GiB at once: MemoryError")
try:
    while True:
        blocks.append(b"x" * (16 * 1024**2))
except MemoryError:
    print("MemoryError after", 16 * len(blocks), "MiB")
blocks.clear()
print("still alive")
"""
    process = sandboxes(code)
    code_rc, out, err = finish(process)
    assert code_rc == 0, err
    first, second, third = out.splitlines()
    assert first == "3 GiB at once: MemoryError"
    assert second.startswith("MemoryError after ") and int(second.split()[2]) < 256
    assert third == "still alive"
    assert process.classify_exit() is None


MEMORY_BALLOON = """
data = b"x" * (160 * 1024**2)
print("holding 160 MiB", flush=True)
n = 0
while True:  # files in the tmpfs home are memory too
    with open(f"fill-{n}", "wb") as f:
        f.write(b"y" * 1024**2)
    n += 1
"""


def test_a_session_past_its_memory_limit_is_stopped_with_the_memory_message(sandboxes: Start) -> None:
    process = sandboxes(MEMORY_BALLOON, limits=Limits(
        memory_bytes=256 * MiB, workdir_bytes=1 * GiB, processes=64))
    code_rc, out, _ = finish(process)
    assert out == "holding 160 MiB\n"
    assert code_rc == 128 + signal.SIGKILL
    assert process.usage().oom_kills >= 1
    assert process.classify_exit() == (
        "The kernel was stopped: it used more than its 256 MiB memory limit. "
        "Restart it, and work on less data at once."
    )


@pytest.mark.parametrize("ignores_sigxcpu", [False, True], ids=["default", "ignoring-SIGXCPU"])
def test_a_busy_loop_is_stopped_at_the_cpu_limit_with_the_cpu_message(
    sandboxes: Start, ignores_sigxcpu: bool
) -> None:
    code = "import signal\nsignal.signal(signal.SIGXCPU, signal.SIG_IGN)\n" if ignores_sigxcpu else ""
    process = sandboxes(code + "print('looping', flush=True)\nwhile True:\n    pass\n",
                        limits=Limits(cpu_seconds=1, processes=64))
    code_rc, out, _ = finish(process)
    assert out == "looping\n"
    # Past the soft limit the default action of SIGXCPU ends it; ignoring it only buys the grace.
    assert code_rc == 128 + (signal.SIGKILL if ignores_sigxcpu else signal.SIGXCPU)
    assert process.classify_exit() == (
        "The kernel was stopped: it used up its CPU time limit of 1 s. Restart it to go on."
    )


def test_a_file_past_the_size_limit_is_refused_and_python_lives(sandboxes: Start) -> None:
    process = sandboxes("""
import errno, os
try:
    with open("big", "wb") as f:
        f.write(b"z" * (2 * 1024**2))
except OSError as exc:
    print(errno.errorcode[exc.errno], exc.strerror)
print(os.path.getsize("big"))
""")
    code_rc, out, err = finish(process)
    assert code_rc == 0, err
    assert out.splitlines() == ["EFBIG File too large", str(1 * MiB)]
    assert process.classify_exit() is None


def test_a_program_killed_for_file_size_gets_the_file_size_message(sandboxes: Start) -> None:
    # Python ignores SIGXFSZ (and so does what it execs); with the default action, the
    # kernel ends the writer.
    process = sandboxes("import os, signal\nsignal.signal(signal.SIGXFSZ, signal.SIG_DFL)\n"
                        "os.execv('/bin/dd', ['dd', 'if=/dev/zero', 'of=big', 'bs=1M', 'count=2'])")
    code_rc, _, err = finish(process)
    assert code_rc == 128 + signal.SIGXFSZ, err
    assert process.classify_exit() == (
        "The kernel was stopped: it wrote a file larger than its 1 MiB file size limit. "
        "Restart it, and write smaller files."
    )


def test_filling_the_home_and_scratch_space_stops_at_their_quota(sandboxes: Start) -> None:
    process = sandboxes("""
import errno, json
result = {}
for folder in ["/home/kernel", "/tmp", "/dev/shm"]:
    written = 0
    try:
        for n in range(1000):  # 1000 MiB, far past the 8 MiB quota
            with open(f"{folder}/fill-{n}", "wb") as f:
                for _ in range(4):
                    f.write(b"d" * (256 * 1024))
                    written += 256 * 1024
    except OSError as exc:
        result[folder] = [errno.errorcode[exc.errno], written]
print(json.dumps(result))
""")
    code_rc, out, err = finish(process)
    assert code_rc == 0, err
    seen = last_json(out)
    for folder in ("/home/kernel", "/tmp", "/dev/shm"):
        reason, written = seen[folder]
        assert reason == "ENOSPC" and 7 * MiB <= written <= 8 * MiB
    assert process.classify_exit() is None


# --------------------------------------------------------------------------
# The kernel itself
# --------------------------------------------------------------------------


class KernelEvents:
    """A sandboxed kernel's events, collected by a thread until its stdout closes."""

    def __init__(self, process: SandboxedProcess) -> None:
        self.process = process
        self.events: list[dict[str, Any]] = []
        self.closed = False
        self._cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self._cond:
                self.events.append(json.loads(line))
                self._cond.notify_all()
        with self._cond:
            self.closed = True
            self._cond.notify_all()

    def send(self, **message: Any) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(message).encode() + b"\n")
        self.process.stdin.flush()

    def wait_until(self, condition: Callable[[], bool]) -> None:
        deadline = time.monotonic() + TIMEOUT
        with self._cond:
            while not condition():
                remaining = deadline - time.monotonic()
                assert remaining > 0, f"the kernel never got there: {self.events[-5:]}"
                assert not self.closed, f"the kernel exited ({self.process.wait()}): {self.events[-5:]}"
                self._cond.wait(remaining)

    def run(self, cell_id: str, code: str) -> dict[str, Any]:
        done = sum(1 for e in self.events if e["type"] == "run_completed")
        self.send(type="create_cell", cell_id=cell_id, code=code)
        self.send(type="run", cell_ids=[cell_id])
        self.wait_until(lambda: sum(1 for e in self.events if e["type"] == "run_completed") > done)
        return [e for e in self.events if e["type"] == "run_completed"][-1]

    def of(self, cell_id: str, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e.get("cell_id") == cell_id and e["type"] == kind]


def test_the_kernel_runs_cells_in_the_sandbox(sandboxes: Start, tmp_path: Path) -> None:
    with (tmp_path / "stderr").open("wb") as stderr:
        kernel = KernelEvents(sandboxes(args=KERNEL_ARGS, limits=Limits(), stderr=stderr))
        assert kernel.run("a", "import numpy\nnumpy.arange(3).sum()")["failed"] == []
        assert kernel.of("a", "output")[-1]["data"] == {"text/plain": "np.int64(3)"}
        kernel.run("b", "import os, matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.savefig('p.png')\n(os.getcwd(), sorted(os.listdir()))")
        assert kernel.of("b", "output")[-1]["data"]["text/plain"] == "('/home/kernel', ['.cache', '.config', 'p.png'])"
        # One allocation past the limit is a cell error; the session and its variables live on.
        assert kernel.run("c", "b'x' * (3 * 1024**3)")["failed"] == ["c"]
        assert kernel.of("c", "cell_error")[-1]["message"].startswith("MemoryError")
        assert kernel.run("d", "numpy.arange(4).sum()")["failed"] == []
        assert kernel.of("d", "output")[-1]["data"] == {"text/plain": "np.int64(6)"}
        # A cell printing 100 MB: the kernel sends its first 2 MiB and says what it dropped.
        assert kernel.run("e", "print('x' * 100_000_000)")["failed"] == []
        sent = sum(len(e["text"]) for e in kernel.of("e", "stream"))
        assert 2 * MiB - 100 <= sent <= 2 * MiB
        assert kernel.of("e", "stream_truncated")[-1]["dropped_bytes"] == 100_000_001 - sent
        kernel.send(type="shutdown")
        assert kernel.process.wait(TIMEOUT) == 0
        assert kernel.process.classify_exit() is None


WORKER = """
import sys
from pathlib import Path
from serverkernels.sandbox import Limits, spawn
process = spawn(["-c", sys.argv[2]], runtime_root=Path(sys.argv[1]), limits=Limits(processes=64))
print(*process.cgroup_paths, flush=True)
print(process.stdout.readline().decode(), end="", flush=True)
sys.stdin.readline()
"""

# Blocks for good on a pipe of its own, not on stdin, whose end goes with the worker.
FIVE_CHILDREN = """
import os
r, w = os.pipe()
for _ in range(5):
    if os.fork() == 0:
        os.read(r, 1)
print("forked", flush=True)
os.read(r, 1)
"""


def wait_until_empty(group: Path) -> None:
    deadline = time.monotonic() + TIMEOUT
    while (group / "cgroup.procs").read_text().split():
        assert time.monotonic() < deadline, (group / "cgroup.procs").read_text()
        time.sleep(0.01)


def test_a_worker_that_dies_takes_its_kernels_along(support: SandboxSupport) -> None:
    worker = subprocess.Popen([sys.executable, "-c", WORKER, str(ROOT), FIVE_CHILDREN], cwd=ROOT,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert worker.stdout is not None
    groups = [Path(path) for path in worker.stdout.readline().split()]
    try:
        assert worker.stdout.readline() == "forked\n"
        pids = groups[[g.parts[4] for g in groups].index("pids")]
        # bwrap, its init, the kernel and its five children
        assert len((pids / "cgroup.procs").read_text().split()) == 8
        assert remove_stale_cgroups(support, created_by=worker.pid) == []  # its worker lives
        worker.kill()  # a crash: no cleanup runs
        worker.wait(TIMEOUT)
        # --die-with-parent: bwrap and everything in its sandbox die with the worker.
        wait_until_empty(pids)
    finally:
        worker.kill()
        worker.wait(TIMEOUT)
        # The next worker to start removes the groups the dead one left.
        assert sorted(remove_stale_cgroups(support, created_by=worker.pid)) == sorted(groups)
    assert [group for group in groups if group.exists()] == []


@pytest.mark.parametrize(("limits", "cells", "message"), [
    (Limits(cpu_seconds=2), ["while True:\n    pass"],
     "The kernel was stopped: it used up its CPU time limit of 2 s. Restart it to go on."),
    (Limits(memory_bytes=512 * MiB), [MEMORY_BALLOON],
     "The kernel was stopped: it used more than its 512 MiB memory limit. Restart it, and work on less data at once."),
], ids=["cpu", "memory"])
def test_a_kernel_stopped_by_a_limit_says_which(
    sandboxes: Start, tmp_path: Path, limits: Limits, cells: list[str], message: str
) -> None:
    with (tmp_path / "stderr").open("wb") as stderr:
        kernel = KernelEvents(sandboxes(args=KERNEL_ARGS, limits=limits, stderr=stderr))
        for index, code in enumerate(cells):
            kernel.send(type="create_cell", cell_id=f"c{index}", code=code)
        kernel.send(type="run", cell_ids=[f"c{index}" for index in range(len(cells))])
        kernel.wait_until(lambda: kernel.closed)
        assert kernel.process.wait(TIMEOUT) in (128 + signal.SIGKILL, 128 + signal.SIGXCPU)
        assert [e for e in kernel.events if e["type"] == "run_completed"] == []
        assert kernel.process.classify_exit() == message


# --------------------------------------------------------------------------
# Without a sandbox, and the environment filter
# --------------------------------------------------------------------------


def test_without_bubblewrap_spawn_refuses_unless_told_otherwise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = probe(bwrap=str(tmp_path / "no-bwrap"))
    assert not missing.sandbox_works and "install bubblewrap" in (missing.bwrap_problem or "")
    with pytest.raises(SandboxUnavailable, match="bubblewrap sandbox, and this host cannot start one"):
        spawn(["-c", "print('ran')"], runtime_root=ROOT, limits=SMALL, support=missing)

    monkeypatch.setenv("SECRET_KEY", "sekrit")
    code = """
import json, os, resource, kernels.runtime
print(json.dumps({"cwd": os.getcwd(), "home": os.environ["HOME"], "secret": "SECRET_KEY" in os.environ,
                  "as": resource.getrlimit(resource.RLIMIT_AS)[0], "runtime": kernels.runtime.__file__}))
"""
    with spawn(["-c", code], runtime_root=ROOT, limits=SMALL, support=missing,
               allow_unsandboxed=True) as process:
        code_rc, out, err = finish(process)
        seen = last_json(out)
        assert Path(seen["cwd"]).is_dir()
    assert not process.sandboxed and code_rc == 0, err
    assert seen["home"] == seen["cwd"] and not seen["secret"] and seen["as"] == 256 * MiB
    assert seen["runtime"] == str(ROOT / "kernels" / "runtime" / "__init__.py")
    assert not Path(seen["cwd"]).exists()  # the scratch home went with the kernel
    assert process.leftover_cgroups == []


def test_a_bwrap_that_cannot_make_namespaces_is_reported(tmp_path: Path) -> None:
    fake = tmp_path / "bwrap"
    fake.write_text(
        "#!/bin/sh\n"
        'case "$1" in\n'
        "  --version) echo 'bubblewrap 0.8.0' ;;\n"
        "  --help) echo '--disable-userns --size --args' ;;\n"
        "  *) echo 'bwrap: No permissions to create new namespace' >&2; exit 1 ;;\n"
        "esac\n"
    )
    fake.chmod(0o755)
    found = probe(bwrap=str(fake))
    assert found.bwrap_version == "bubblewrap 0.8.0"
    assert "No permissions to create new namespace" in (found.bwrap_problem or "")
    assert "user namespaces" in (found.bwrap_problem or "")
    assert "isolation (no bubblewrap sandbox)" in found.unenforced()
    with pytest.raises(SandboxUnavailable, match="No permissions"):
        spawn(["-c", "pass"], runtime_root=ROOT, limits=SMALL, support=found)


@pytest.mark.parametrize("name", [
    "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "AWS_ACCESS_KEY_ID", "S3_BUCKET", "PGPASSWORD",
    "PLAYGROUND_API_TOKEN", "OPENAI_API_KEY", "DJANGO_SETTINGS_MODULE", "CELERY_BROKER_URL",
    "LD_PRELOAD", "PYTHONPATH", "PYTHONSTARTUP", "HOME", "PATH", "BAD NAME",
])
def test_extra_variables_that_look_secret_or_change_what_runs_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match=f"Refusing environment variable {name!r}"):
        child_environment(extra={name: "x"})


def test_extra_variables_are_added_unless_a_value_holds_a_password() -> None:
    env = child_environment(extra={"PLAYGROUND_SESSION": "abc", "PAGER": "cat"})
    assert env["PLAYGROUND_SESSION"] == "abc" and env["PAGER"] == "cat"
    assert "PLAYGROUND_SESSION" not in child_environment()
    with pytest.raises(ValueError, match="URL with a password"):
        child_environment(extra={"UPSTREAM": "https://user:hunter2@example.com/x"})


def test_the_environment_never_copies_the_workers() -> None:
    env = child_environment(threads=3)
    assert set(env) & set(os.environ) <= {"PATH", "HOME", "LANG", "LC_ALL", "TZ", "USER", "LOGNAME", "TMPDIR",
                                          "PYTHONPATH", "PYTHONDONTWRITEBYTECODE", "PYTHONNOUSERSITE",
                                          "MPLBACKEND", "MPLCONFIGDIR", "XDG_CACHE_HOME"}
    assert env["OMP_NUM_THREADS"] == env["POLARS_MAX_THREADS"] == env["PYTHON_CPU_COUNT"] == "3"
    assert env["PATH"] == "/opt/venv/bin:/usr/local/bin:/usr/bin:/bin"


def test_limits_are_positive_and_print_in_binary_units() -> None:
    with pytest.raises(ValueError, match="memory_bytes must be a positive number"):
        Limits(memory_bytes=0)
    with pytest.raises(ValueError, match="cpus"):
        Limits(cpus=-1)
    assert Limits(cpus=0.5).threads == 1 and Limits(cpus=2.5).threads == 3
    assert [format_bytes(n) for n in (2 * GiB, 1536 * MiB, 256 * MiB, 512, 2048)] == [
        "2 GiB", "1.5 GiB", "256 MiB", "512 bytes", "2 KiB"]
    assert Limits().memory_bytes == 2 * GiB


def test_probe_reports_this_hosts_sandbox(support: SandboxSupport) -> None:
    assert support.bwrap_version and support.bwrap_version.startswith("bubblewrap ")
    assert support.unenforced() == []
    # The groups are made under the worker's own cgroup, not at the top of the hierarchy.
    for controller in support.cgroups:
        assert controller.parent.name == "playground-kernels"
