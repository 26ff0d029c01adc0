"""Server kernel sessions end to end: the service, real Redis and real Celery worker processes.

Commands go in as the websocket would put them (the session's command stream);
frames are read from the session's event stream, as the websocket replays them.
Each test waits on frames or Redis state, never on the clock.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest

from notebooks.models import Notebook
from serverkernels import conf, services
from serverkernels.models import KernelSession
from sharing import services as sharing_services
from sharing.access import ActionDenied, NotebookNotFound
from tests.factories import client_for, collaborator_make, notebook_make, user_make
from tests.serverkernels.frames import Frames, event_of, state_of
from tests.serverkernels.workers import KernelWorker

pytestmark = [pytest.mark.subprocess, pytest.mark.django_db(transaction=True)]

Workers = Callable[..., KernelWorker]


def send(session: KernelSession, **command: Any) -> None:
    conf.store().push_command(session.public_id, json.dumps(command))


def run_cell(session: KernelSession, frames: Frames, cell_id: str, code: str) -> dict[str, Any]:
    """Create (or update) a cell, run it, and return that run's run_completed event."""
    start = len(frames.frames)
    send(session, type="create_cell", cell_id=cell_id, code=code)
    send(session, type="update_cell", cell_id=cell_id, code=code)
    send(session, type="run", cell_ids=[cell_id])
    return frames.wait_for(event_of("run_completed"), start)["event"]


def started(notebook: Notebook) -> tuple[KernelSession, Frames]:
    session = services.kernel_start(user=notebook.owner, notebook=notebook)
    frames = Frames(conf.store(), session.public_id)
    frames.wait_for(event_of("kernel_ready"))
    return session, frames


def outputs(frames: Frames, cell_id: str, start: int = 0) -> list[str]:
    return [e["data"].get("text/plain", "") for e in frames.events(start)
            if e["type"] == "output" and e["cell_id"] == cell_id]


def test_a_server_kernel_runs_numpy_and_interrupts_a_busy_loop(workers: Workers) -> None:
    workers(slots=1)
    notebook = notebook_make(user_make())
    session, frames = started(notebook)

    done = run_cell(session, frames, "a", "import numpy as np\nnp.arange(5).sum()")
    assert done["failed"] == []
    assert outputs(frames, "a") == ["np.int64(10)"]

    start = len(frames.frames)
    send(session, type="create_cell", cell_id="loop", code="while True:\n    pass")
    send(session, type="run", cell_ids=["loop"])
    frames.wait_for(event_of("cell_status", cell_id="loop", status="running"), start)
    frames.wait_for(state_of("running"), start)
    send(session, type="interrupt")
    done = frames.wait_for(event_of("run_completed"), start)["event"]
    assert done["interrupted"] is True and done["failed"] == ["loop"]
    frames.wait_for(state_of("idle"), start)

    # The kernel is still the same one: its names survived the interrupt.
    done = run_cell(session, frames, "b", "int(np.arange(3).sum())")
    assert outputs(frames, "b") == ["3"]


def test_starting_again_returns_the_running_session_and_only_editors_start_one(
    workers: Workers,
) -> None:
    workers(slots=2)
    owner = user_make()
    notebook = notebook_make(owner)
    session, _ = started(notebook)
    assert services.kernel_start(user=owner, notebook=notebook) == session

    stranger = user_make()
    with pytest.raises(NotebookNotFound):
        services.kernel_start(user=stranger, notebook=notebook)
    # Anyone may read a public notebook; only editors run a kernel on it.
    sharing_services.notebook_visibility_set(notebook=notebook, visibility="public")
    with pytest.raises(ActionDenied):
        services.kernel_start(user=stranger, notebook=notebook)
    # A collaborator (may edit) gets a session of their own, not the owner's.
    collaborator = user_make()
    collaborator_make(notebook, collaborator)
    theirs = services.kernel_start(user=collaborator, notebook=notebook)
    assert theirs != session and theirs.owner == collaborator


def test_a_worker_stopped_for_a_deploy_ends_its_sessions_and_exits_at_once(
    workers: Workers,
) -> None:
    doomed = workers(slots=1)
    notebook = notebook_make(user_make())
    session, frames = started(notebook)
    run_cell(session, frames, "a", "x = 1\nx")

    start = len(frames.frames)
    # Warm shutdown (SIGTERM) waits for running tasks, and a session's task runs until
    # the session ends: the session must end at once, not hold the deploy up.
    assert doomed.stop(timeout=60) is True
    lost = frames.wait_for(state_of("lost"), start)
    assert "restarted" in lost["session"]["message"]
    assert "Restart the kernel" in lost["session"]["message"]

    # Restarting it finds another worker, with a fresh kernel.
    successor = workers(slots=1)
    start = len(frames.frames)
    services.kernel_restart(session)
    frames.wait_for(event_of("kernel_ready"), start)
    assert conf.store().get(session.public_id).worker == successor.worker_id
    done = run_cell(session, frames, "b", "y = 2\ny")
    assert done["failed"] == []


def test_a_killed_worker_leaves_its_sessions_lost_and_they_restart_elsewhere(
    workers: Workers,
) -> None:
    doomed = workers(slots=1)
    notebook = notebook_make(user_make())
    session, frames = started(notebook)
    assert conf.store().get(session.public_id).worker == doomed.worker_id
    run_cell(session, frames, "count", "import pathlib\nruns = 1\nruns")

    start = len(frames.frames)
    send(session, type="create_cell", cell_id="slow", code="while True:\n    pass")
    send(session, type="run", cell_ids=["slow"])
    frames.wait_for(event_of("cell_status", cell_id="slow", status="running"), start)
    doomed.kill()
    # Another worker notices the silence (the heartbeat expired) and marks it lost ...
    survivor = workers(slots=1)
    lost = frames.wait_for(state_of("lost"), start)
    assert "stopped" in lost["session"]["message"]
    # ... and nothing is redelivered to it: no cell runs again by itself ...
    assert services.kernel_view(session).state == "lost"
    assert not any(e["type"] == "kernel_ready" for e in frames.events(start))
    # ... until the person restarts the session, which the new worker hosts, fresh.
    restart_at = len(frames.frames)
    services.kernel_restart(session)
    frames.wait_for(event_of("kernel_ready"), restart_at)
    assert conf.store().get(session.public_id).worker == survivor.worker_id
    ran_again = [e for e in frames.events(restart_at) if e["type"] == "cell_status"
                 and e["status"] == "running"]
    assert ran_again == []
    done = run_cell(session, frames, "fresh", "'runs' in globals()")
    assert outputs(frames, "fresh", restart_at) == ["False"]
    assert done["failed"] == []


def test_a_kernel_killed_by_its_cpu_limit_says_which_limit(workers: Workers) -> None:
    workers(slots=1, KERNEL_CPU_SECONDS="1")
    notebook = notebook_make(user_make())
    session, frames = started(notebook)
    start = len(frames.frames)
    send(session, type="create_cell", cell_id="spin", code="while True:\n    pass")
    send(session, type="run", cell_ids=["spin"])
    dead = frames.wait_for(state_of("dead"), start)
    assert "CPU" in dead["session"]["message"]
    assert services.kernel_view(session).state == "dead"


def test_output_beyond_the_volume_limit_stops_the_kernel_and_not_the_worker(
    workers: Workers,
) -> None:
    worker = workers(slots=1, KERNEL_OUTPUT_BYTES_PER_RUN=str(256 * 1024))
    notebook = notebook_make(user_make())
    session, frames = started(notebook)
    # A hundred megabytes printed: the kernel itself keeps 2 MiB of a run's text and
    # says the rest was cut; more than the worker's limit of 256 KiB stops the kernel.
    start = len(frames.frames)
    send(session, type="create_cell", cell_id="flood", code="print('x' * 100_000_000)")
    send(session, type="run", cell_ids=["flood"])
    dead = frames.wait_for(state_of("dead"), start)
    assert "256 KiB of output" in dead["session"]["message"]
    sent = sum(len(json.dumps(f)) for f in frames.frames[start:])
    assert sent < 2 * 256 * 1024
    # The worker lives on and takes the restart.
    assert worker.process.poll() is None
    restart_at = len(frames.frames)
    services.kernel_restart(session)
    frames.wait_for(event_of("kernel_ready"), restart_at)
    run_cell(session, frames, "ok", "1 + 1")
    assert outputs(frames, "ok", restart_at) == ["2"]


def test_shutdown_stops_the_kernel_and_frees_its_slot(workers: Workers) -> None:
    workers(slots=1)
    first = notebook_make(user_make())
    second = notebook_make(user_make())
    session, frames = started(first)
    waiting = services.kernel_start(user=second.owner, notebook=second)
    view = services.kernel_view(waiting)
    assert (view.state, view.position) == ("queued", 1)

    services.kernel_shutdown(session)
    frames.wait_for(state_of("stopped"))
    Frames(conf.store(), waiting.public_id).wait_for(state_of("idle"))
    assert services.kernel_view(waiting).state == "idle"


def test_the_queue_takes_owners_in_turn_and_holds_each_to_their_cap(
    kernel_env: dict[str, str], workers: Workers, settings: Any
) -> None:
    settings.KERNELS_PER_USER = 2
    greedy, modest = user_make(), user_make()
    greedy_sessions = [
        services.kernel_start(user=greedy, notebook=notebook_make(greedy)) for _ in range(3)
    ]
    modest_session = services.kernel_start(user=modest, notebook=notebook_make(modest))
    # No worker yet: all wait, the second owner's first session right after the first's.
    positions = [services.kernel_view(s).position for s in [*greedy_sessions, modest_session]]
    assert positions == [1, 3, 4, 2]
    assert services.kernel_view(modest_session).workers == 0

    # Two slots: one each, not two for whoever asked first.
    workers(slots=2)
    Frames(conf.store(), greedy_sessions[0].public_id).wait_for(state_of("idle"))
    Frames(conf.store(), modest_session.public_id).wait_for(state_of("idle"))
    assert [services.kernel_view(s).state for s in greedy_sessions[1:]] == ["queued", "queued"]

    # Four more slots: the greedy owner gets one more (cap 2), never three.
    workers(slots=4)
    Frames(conf.store(), greedy_sessions[1].public_id).wait_for(state_of("idle"))
    states = [services.kernel_view(s).state for s in greedy_sessions]
    assert states == ["idle", "idle", "queued"]


def test_an_idle_kernel_is_culled_after_its_run_never_during_it_and_keeps_its_outputs(
    workers: Workers,
) -> None:
    workers(slots=1, KERNEL_IDLE_SECONDS="1")
    notebook = notebook_make(user_make())
    session, frames = started(notebook)
    # The cell runs longer than the idle time: the kernel is busy, not idle.
    start = len(frames.frames)
    send(session, type="create_cell", cell_id="slow",
         code="import time\ntime.sleep(3)\n'slept'")
    send(session, type="run", cell_ids=["slow"])
    culled = frames.wait_for(state_of("culled"), start)
    completed = frames.wait_for(event_of("run_completed"), start)
    assert completed["seq"] < culled["seq"]
    assert completed["event"]["failed"] == []
    assert "idle" in culled["session"]["message"]
    assert services.kernel_view(session).state == "culled"
    # What the page shows at once when it opens the culled session again.
    kept = services.kernel_last_outputs(session)
    assert kept["slow"]["data"]["text/plain"] == "'slept'"


def test_staff_see_live_kernels_with_their_memory_and_stop_one(workers: Workers) -> None:
    workers(slots=2)
    owner = user_make("kernel-owner@example.com")
    session, frames = started(notebook_make(owner, title="Heavy work"))
    run_cell(session, frames, "big", "import numpy as np\nblock = np.ones(20_000_000)\nblock.size")
    # The heartbeat carries the memory figure: wait until it reports the 160 MB block.
    frames.wait_for(state_of("idle"))
    store = conf.store()
    while store.get(session.public_id).memory < 160_000_000:
        time.sleep(0.2)  # polling Redis: heartbeats come once a second

    staff = user_make()
    staff.is_staff = True
    staff.save()
    page = client_for(staff).get("/staff/kernels/")
    assert page.status_code == 200
    rows = page.content.decode()
    assert session.public_id in rows and "kernel-owner@example.com" in rows
    assert "Heavy work" in rows and "idle" in rows and "MB" in rows
    assert client_for(owner).get("/staff/kernels/").status_code == 302  # to the log-in

    response = client_for(staff).post(f"/staff/kernels/{session.public_id}/stop")
    assert response.status_code == 302
    frames.wait_for(state_of("stopped"))
    assert session.public_id not in client_for(staff).get("/staff/kernels/").content.decode()


def test_a_worker_on_its_own_settings_hosts_kernels_that_see_no_secret_and_reach_nothing(
    workers: Workers, kernel_env: dict[str, str]
) -> None:
    secrets = {
        "SECRET_KEY": "worker-secret-key-value",
        "DATABASE_URL": "postgres://playground:db-password@127.0.0.1:5432/playground",
        "AWS_SECRET_ACCESS_KEY": "s3-secret-value",
        "S3_SECRET_ACCESS_KEY": "s3-secret-value-2",
        "EMAIL_HOST_PASSWORD": "mail-password",
    }
    workers(slots=1, DJANGO_SETTINGS_MODULE="playground.settings.kernel_worker",
            REDIS_URL=kernel_env["PLAYGROUND_TEST_REDIS_URL"], **secrets)
    notebook = notebook_make(user_make())
    session, frames = started(notebook)
    probe = (
        "import os, socket, pathlib\n"
        "seen = repr(dict(os.environ)) + ''.join(\n"
        "    p.read_text(errors='replace') for p in pathlib.Path('/proc').glob('*/environ')\n"
        "    if p.parent.name.isdigit())\n"
        "reached = []\n"
        "for port in (5432, 6379):\n"
        "    try:\n"
        "        socket.create_connection(('127.0.0.1', port), timeout=2).close()\n"
        "        reached.append(port)\n"
        "    except OSError:\n"
        "        pass\n"
        # The service's checkout (/work/main here) is absent; of /root only the base
        # interpreter's own directory is there (this machine's Python is pyenv's).
        "files = [str(p) for p in pathlib.Path('/').glob('*/*') if p.parts[1] in ('work', 'srv', 'root')]\n"
        "(seen, reached, files)"
    )
    done = run_cell(session, frames, "probe", probe)
    assert done["failed"] == []
    seen = outputs(frames, "probe")[0]
    for value in secrets.values():
        assert value not in seen
    assert "PLAYGROUND_TEST" not in seen and "REDIS" not in seen
    assert seen.endswith(", [], [])") or seen.endswith(", [], ['/root/.pyenv'])")


# A cell that says when its interpreter started, in seconds since the epoch.
STARTED_AT = (
    "import os, pathlib\n"
    "boot = next(int(line.split()[1]) for line in pathlib.Path('/proc/stat').read_text()"
    ".splitlines() if line.startswith('btime'))\n"
    "ticks = int(pathlib.Path('/proc/self/stat').read_text().rsplit(')', 1)[1].split()[19])\n"
    "boot + ticks / os.sysconf('SC_CLK_TCK')"
)


def test_a_session_takes_a_kernel_started_ahead_and_each_start_gets_a_fresh_one(
    workers: Workers,
) -> None:
    worker = workers(slots=1, KERNEL_POOL_SIZE="1")
    store = conf.store()
    # The worker says in its heartbeat when its kernel started ahead is up.
    while store.pooled_kernels().get(worker.worker_id, 0) < 1:
        time.sleep(0.2)  # polling Redis: heartbeats come once a second
    asked_at = time.time()
    session, frames = started(notebook_make(user_make()))
    run_cell(session, frames, "when", STARTED_AT)
    assert float(outputs(frames, "when")[0]) < asked_at  # it was up before anyone asked
    run_cell(session, frames, "mark", "left_behind = True")

    # A restart takes another kernel: fresh, nothing left behind.
    restart_at = len(frames.frames)
    services.kernel_restart(session)
    frames.wait_for(event_of("kernel_ready"), restart_at)
    run_cell(session, frames, "fresh", "'left_behind' in globals()")
    assert outputs(frames, "fresh", restart_at) == ["False"]
