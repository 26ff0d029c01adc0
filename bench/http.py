"""HTTP throughput of the production layout on loopback: shared page, API read, API save.

    python bench/http.py             # 3 repeats of 10 s per measurement, about 3.5 minutes
    python bench/http.py --quick     # 1 repeat of 1 s after a 1 s warm-up (smoke test), about 25 s
    python bench/http.py --no-asgi   # without the daphne comparison

The layout is production's (deploy/README.md), on one machine: gunicorn with 2 sync
workers (``--config deploy/gunicorn.conf.py``, production settings plus the floor
page's URLconf, ``bench/http_settings.py``), PostgreSQL (a fresh database made and
migrated for the run, dropped after it), Redis as the cache and channel layer, S3
through moto's server (in this process, started here) and wrk as the load
generator (``-t2 -c50``; Debian's ``apt-get install wrk``). Requests carry
``X-Forwarded-Proto: https`` as nginx's would, so HTTPS redirects and HSTS run too.

The data is made through the real services: a user, a personal API token
(``api_token_create``), notebooks of 5-20 KB of realistic cells and a view link.
In every repeat, one after the other so they share the machine's load:

- floor: ``/bench/floor/<token>`` (bench/http_urls.py), a bare view doing two
  indexed queries and returning 20 KB of HTML, through the same middleware;
- shared: ``GET /s/<token>``, the shared notebook page, anonymous;
- api: ``GET /api/notebooks/<id>`` with ``Authorization: Bearer pg_...``;
- save: ``POST /api/notebooks/<id>/revisions`` (bench/wrk/save.lua), new content
  every request (the service stores nothing for content equal to the current
  revision), ``save_on_top`` (no ``base_revision``), round-robin over 8 notebooks;
- shared under daphne: the same page from 2 daphne processes sharing one socket
  (ASGI, ``DATABASE_POOL=1`` as deploy/README.md prescribes), the reason plain HTTP
  is served from WSGI and daphne only serves websockets.

Every response's status is counted in wrk's Lua ``response`` hook (bench/wrk/), and
a check request before and after each series reads the page or JSON and compares
it with what was seeded; after each save run the notebooks' revision count must have
grown by the 201s wrk counted (plus at most one per connection still in flight when
wrk stopped). A wrong status or body fails the bench (exit status 1); timing never
does: targets (shared page >= 0.9x the floor and >= 1500 req/s at p99 <= 50 ms,
saves >= 200/s) print as met / NOT MET. The last line is
``shared_rps=... floor_rps=... shared_ratio=... shared_p99_ms=... api_rps=...
save_rps=... daphne_shared_rps=...`` (medians; daphne 0 with ``--no-asgi``).
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file shares its name with the standard library's ``http`` package: take its own
# folder off the import path before anything imports ``http.client``.
_BENCH_DIR = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _BENCH_DIR]
REPO_ROOT = _BENCH_DIR.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

import argparse  # noqa: E402
import contextlib  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import secrets  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402

from tests.production_stack import (  # noqa: E402
    Server,
    StackFailed,
    fresh_database,
    gunicorn,
    postgres_server,
    redis_server,
    server_env,
    wait_until_serving,
)
from tests.real_services import s3_client, start_moto_server  # noqa: E402

WRK_DIR = REPO_ROOT / "bench" / "wrk"
BUCKET = "playground-bench"
# The Redis database the bench's servers use (the tests use 9).
REDIS_DB = 8
CONNECTIONS = 50
WRK_THREADS = 2
# Seconds of load before each series; repeated while a server is still silent.
WARM_UP_SECONDS = 2
SAVE_NOTEBOOKS = 8
TARGET_SHARED_RATIO = 0.9
TARGET_SHARED_RPS = 1500
TARGET_SHARED_P99_MS = 50
TARGET_SAVE_RPS = 200
HEADERS = {"X-Forwarded-Proto": "https"}


class BenchFailed(RuntimeError):
    """A response was wrong or a server did not start; the message says which."""


class NoResponse(BenchFailed):
    """A wrk run ended before the server answered anything."""


# --- the data ---------------------------------------------------------------------------

_PROSE = (
    "This section loads the measurements, drops the rows whose sensor reported an "
    "error, and resamples what is left to one value per hour. Change the threshold "
    "below and every chart after it follows."
)
_CODE = '''import statistics
from dataclasses import dataclass


@dataclass
class Reading{i}:
    sensor: str
    hour: int
    value: float


def clean_{i}(rows, threshold={i}.5):
    """Keep readings under the threshold, grouped by sensor."""
    kept = {{}}
    for row in rows:
        if row["value"] is None or row["value"] > threshold * 100:
            continue
        reading = Reading{i}(row["sensor"], row["hour"], row["value"])
        kept.setdefault(row["sensor"], []).append(reading)
    return kept


readings_{i} = clean_{i}(
    [{{"sensor": f"s{{n % 7}}", "hour": n % 24, "value": (n * 37 % 1000) / 10}} for n in range(500)]
)
summary_{i} = {{
    sensor: (len(values), statistics.fmean(r.value for r in values))
    for sensor, values in sorted(readings_{i}.items())
}}
summary_{i}
'''


def notebook_text(size: int, seed: int) -> str:
    """A notebook in our format of about ``size`` bytes: prose and analysis cells."""
    from kernels.runtime.formats import dumps_notebook
    from kernels.runtime.notebook import Cell, Notebook

    cells: list[Cell] = [
        Cell(code=f"# Sensor report {seed}\n\n{_PROSE}", kind="markdown", name="intro")
    ]
    i = 0
    while len(dumps_notebook(Notebook(cells=cells), "playground")) < size:
        i += 1
        cells.append(Cell(code=f"## Step {i}\n\n{_PROSE}", kind="markdown", name=f"notes{i}"))
        cells.append(Cell(code=_CODE.format(i=i), name=f"step{i}"))
    return dumps_notebook(Notebook(cells=cells), "playground")


@dataclass
class Seeded:
    token: str  # the API token's secret
    link_token: str
    shared_id: str
    shared_title: str
    shared_text: str
    api_id: str
    api_text: str
    save_ids: list[str]
    save_template: Path  # the JSON body with @@UNIQUE@@ (bench/wrk/save.lua)


def seed(workdir: Path) -> Seeded:
    """Make the user, token, notebooks and link through the services (Django is set up)."""
    from django.contrib.auth import get_user_model

    from accounts.services import api_token_create
    from notebooks.services import notebook_create
    from sharing.models import Role
    from sharing.services import share_link_create

    user = get_user_model().objects.create_user(
        username="bench", email="bench@example.com", password=secrets.token_urlsafe(16)
    )
    token = api_token_create(user=user, name="bench").secret
    shared_text = notebook_text(15_000, seed=1)
    shared = notebook_create(owner=user, title="Sensor report (shared)", content=shared_text)
    link = share_link_create(notebook=shared, created_by=user, role=Role.VIEW, show_code=True)
    api_text = notebook_text(12_000, seed=2)
    api_notebook = notebook_create(owner=user, title="Sensor report (API)", content=api_text)
    save_ids = []
    for n in range(SAVE_NOTEBOOKS):
        size = 5_000 + n * 15_000 // (SAVE_NOTEBOOKS - 1)
        notebook = notebook_create(
            owner=user, title=f"Draft {n}", content=notebook_text(size, seed=10 + n)
        )
        save_ids.append(notebook.public_id)
    saved_text = notebook_text(10_000, seed=3) + '\n# %% name=marker\nmarker = "@@UNIQUE@@"\n'
    template = workdir / "save-body.json"
    template.write_text(json.dumps({"content": saved_text, "save_on_top": True}))
    return Seeded(
        token=token,
        link_token=link.token,
        shared_id=shared.public_id,
        shared_title=shared.title,
        shared_text=shared_text,
        api_id=api_notebook.public_id,
        api_text=api_text,
        save_ids=save_ids,
        save_template=template,
    )


def revision_count(public_ids: list[str]) -> int:
    from django.db import connection

    from notebooks.models import Revision

    count = Revision.objects.filter(notebook__public_id__in=public_ids).count()
    connection.close()
    return count


# --- services ---------------------------------------------------------------------------


def frontend_dist(workdir: Path) -> tuple[Path, str]:
    """The frontend build the pages name: frontend/dist if built, else a stand-in manifest.

    The server only reads the manifest for the script's file name (the browser would
    load the files; wrk does not), so the stand-in changes nothing it measures.
    """
    real = REPO_ROOT / "frontend" / "dist"
    manifest = real / ".vite" / "manifest.json"
    with contextlib.suppress(OSError, ValueError):
        if "src/host/main.ts" in json.loads(manifest.read_text()):
            return real, "frontend/dist"
    dist = workdir / "dist"
    (dist / ".vite").mkdir(parents=True)
    (dist / ".vite" / "manifest.json").write_text(
        json.dumps({
            "src/main.ts": {"file": "assets/main-bench.js", "isEntry": True},
            "src/host/main.ts": {"file": "assets/host-bench.js", "isEntry": True},
        })
    )
    (dist / "playground-assets.json").write_text(json.dumps({"pyodideVersion": "bench"}))
    return dist, "a stand-in manifest (frontend/dist is not built)"


@contextlib.contextmanager
def daphne_pair(env: dict[str, str], workdir: Path) -> Iterator[Server]:
    """Two daphne processes accepting on one listening socket (passed as a descriptor)."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1024)
    listener.set_inheritable(True)
    port = listener.getsockname()[1]
    log = workdir / "daphne.log"
    asgi_env = {**env, "DATABASE_POOL": "1"}
    processes = []
    with log.open("wb") as out:
        for _ in range(2):
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "daphne", "--fd", str(listener.fileno()), "-v", "0",
                     "playground.asgi:application"],
                    cwd=REPO_ROOT, env=asgi_env, stdout=out, stderr=subprocess.STDOUT,
                    pass_fds=[listener.fileno()],
                )
            )
    listener.close()
    server = Server("daphne ×2 (ASGI)", port, processes, log)
    try:
        wait_until_serving(server)
        yield server
    finally:
        server.stop()


# --- requests and checks ----------------------------------------------------------------


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str]


def request(
    port: int, method: str, path: str, *, body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers={**HEADERS, **(headers or {})})
        answer = connection.getresponse()
        return Response(answer.status, answer.read(), dict(answer.getheaders()))
    finally:
        connection.close()


def _expect(condition: bool, what: str, response: Response) -> None:
    if not condition:
        raise BenchFailed(f"{what}: status {response.status}, body {response.body[:500]!r}")


def check_shared(port: int, data: Seeded) -> None:
    response = request(port, "GET", f"/s/{data.link_token}")
    _expect(response.status == 200, "the shared page did not answer 200", response)
    page = response.body.decode()
    config = page.split('<script id="host-config" type="application/json">', 1)[-1]
    config = json.loads(config.split("</script>", 1)[0])
    _expect(
        data.shared_title in page
        and config["notebook"]["id"] == data.shared_id
        and config["notebook"]["content"] == data.shared_text
        and config["notebook"]["mode"] == "read",
        "the shared page does not hold the shared notebook",
        response,
    )


def check_floor(port: int, data: Seeded) -> None:
    response = request(port, "GET", f"/bench/floor/{data.link_token}")
    _expect(
        response.status == 200 and f'data-notebook="{data.shared_id}"'.encode() in response.body
        and len(response.body) >= 20 * 1024,
        "the floor page is wrong",
        response,
    )


def check_api(port: int, data: Seeded) -> None:
    response = request(
        port, "GET", f"/api/notebooks/{data.api_id}",
        headers={"Authorization": f"Bearer {data.token}"},
    )
    _expect(response.status == 200, "the API read did not answer 200", response)
    body = json.loads(response.body)
    _expect(
        body["id"] == data.api_id and body["content"] == data.api_text and body["role"] == "owner",
        "the API read does not hold the notebook",
        response,
    )


def check_save(port: int, data: Seeded, nonce: str) -> None:
    """One save answers 201 with a new revision, which then reads back whole."""
    body = data.save_template.read_text().replace("@@UNIQUE@@", f"{nonce}-check")
    response = request(
        port, "POST", f"/api/notebooks/{data.save_ids[0]}/revisions", body=body.encode(),
        headers={"Authorization": f"Bearer {data.token}", "Content-Type": "application/json"},
    )
    _expect(
        response.status == 201 and json.loads(response.body)["created"] is True,
        "a save did not answer 201 with a new revision",
        response,
    )
    check_saved(port, data, nonce, data.save_ids[:1])


def check_saved(port: int, data: Seeded, nonce: str, public_ids: list[str]) -> None:
    """The notebooks' current revisions are saves of this run, and read back whole."""
    template = json.loads(data.save_template.read_text())["content"]
    prefix, suffix = template.split("@@UNIQUE@@")
    for public_id in public_ids:
        response = request(
            port, "GET", f"/api/notebooks/{public_id}",
            headers={"Authorization": f"Bearer {data.token}"},
        )
        content = json.loads(response.body).get("content", "")
        unique = content[len(prefix):-len(suffix)]
        _expect(
            response.status == 200 and content.startswith(prefix)
            and content.endswith(suffix) and unique.startswith(nonce),
            f"notebook {public_id} does not hold a save of this run",
            response,
        )


# --- wrk --------------------------------------------------------------------------------


@dataclass
class Run:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    ok: int
    bad: int
    errors: int
    first_bad: str

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def wrk(url: str, *, seconds: int, script: str, args: list[str], headers: list[str]) -> Run:
    command = ["wrk", f"-t{WRK_THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency",
               "-s", str(WRK_DIR / script)]
    for header in [*(f"{k}: {v}" for k, v in HEADERS.items()), *headers]:
        command += ["-H", header]
    result = subprocess.run(
        [*command, url, "--", *args], capture_output=True, text=True, timeout=seconds + 60
    )
    line = next((x for x in result.stdout.splitlines() if x.startswith("WRK ")), None)
    if result.returncode != 0 or line is None:
        raise BenchFailed(f"wrk failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    head, _, first_bad = line.partition(" first_bad=")
    values = dict(item.split("=", 1) for item in head.split()[1:])
    return Run(
        requests=int(values["requests"]),
        seconds=int(values["duration_us"]) / 1e6,
        p50_ms=int(values["p50_us"]) / 1000,
        p99_ms=int(values["p99_us"]) / 1000,
        ok=int(values["ok"]),
        bad=int(values["bad"]),
        errors=int(values["errors"]),
        first_bad=first_bad,
    )


@dataclass
class Measurement:
    key: str
    label: str
    server: Server
    run_once: Callable[[int], Run]
    check_before: Callable[[], None]
    check_after: Callable[[], None]
    runs: list[Run] = field(default_factory=list)

    def median(self, attribute: str) -> float:
        return statistics.median(getattr(run, attribute) for run in self.runs)


def _run_checked(measurement: Measurement, seconds: int) -> Run:
    run = measurement.run_once(seconds)
    server = measurement.server
    if not server.alive():
        raise BenchFailed(f"{server.label} died:\n{server.log_tail()}")
    if run.bad:
        raise BenchFailed(
            f"{measurement.label}: {run.bad} of {run.ok + run.bad} responses had the wrong "
            f"status; the first: {run.first_bad}"
        )
    if run.ok == 0:
        raise NoResponse(
            f"{measurement.label}: no response in {seconds} s ({run.errors} connection "
            f"errors or timeouts); the server's log:\n{server.log_tail()}"
        )
    return run


def _answered_run(measurement: Measurement, seconds: int, attempts: int = 5) -> Run:
    """A run that got answers: on a busy machine a short run may end before a worker
    answers at all (a process's first requests load the URLconf and templates, open a
    connection pool). A wrong status fails at once; only silence is retried, a bounded
    number of times."""
    for attempt in range(1, attempts + 1):
        try:
            return _run_checked(measurement, seconds)
        except NoResponse:
            if attempt == attempts:
                raise
    raise AssertionError("unreachable")


def _warm_up(measurement: Measurement, seconds: int) -> None:
    _answered_run(measurement, seconds)


def measurements(
    data: Seeded, app: Server, asgi: Server | None, nonce: str, notes: list[str]
) -> list[Measurement]:
    def get(port: int, path: str, headers: tuple[str, ...] = ()) -> Callable[[int], Run]:
        url = f"http://127.0.0.1:{port}{path}"
        return lambda seconds: wrk(
            url, seconds=seconds, script="check.lua", args=["200"], headers=list(headers)
        )

    bearer = f"Authorization: Bearer {data.token}"
    saves = 0

    def save(seconds: int) -> Run:
        nonlocal saves
        saves += 1
        before = revision_count(data.save_ids)
        run = wrk(
            f"http://127.0.0.1:{app.port}/",
            seconds=seconds,
            script="save.lua",
            args=[str(data.save_template), f"{nonce}.{saves}", *data.save_ids],
            headers=[bearer, "Content-Type: application/json"],
        )
        # Saves wrk had sent when it stopped still finish on the server.
        time.sleep(1.0)
        grown = revision_count(data.save_ids) - before
        if not run.ok <= grown <= run.ok + CONNECTIONS:
            raise BenchFailed(
                f"wrk counted {run.ok} saves answered 201, but the notebooks have {grown} "
                "new revisions"
            )
        label = "warm-up" if saves == 1 else f"run {saves - 1}"
        notes.append(f"saves, {label}: {run.ok} answered 201, {grown} new revisions")
        return run

    found = [
        Measurement("floor", "floor: 2 indexed queries, 20 KB", app,
                    get(app.port, f"/bench/floor/{data.link_token}"),
                    *[lambda: check_floor(app.port, data)] * 2),
        Measurement("shared", "shared page GET /s/<token>", app,
                    get(app.port, f"/s/{data.link_token}"),
                    *[lambda: check_shared(app.port, data)] * 2),
        Measurement("api", "API GET /api/notebooks/<id>", app,
                    get(app.port, f"/api/notebooks/{data.api_id}", (bearer,)),
                    *[lambda: check_api(app.port, data)] * 2),
        Measurement("save", "API POST .../revisions", app, save,
                    lambda: check_save(app.port, data, nonce),
                    lambda: check_saved(app.port, data, nonce, data.save_ids)),
    ]
    if asgi is not None:
        found.append(
            Measurement("daphne_shared", "shared page, daphne ×2", asgi,
                        get(asgi.port, f"/s/{data.link_token}"),
                        *[lambda: check_shared(asgi.port, data)] * 2)
        )
    return found


# --- the run ----------------------------------------------------------------------------


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f} (1 min), {five:.2f} (5 min)"


def report(found: list[Measurement], repeats: int, seconds: int) -> dict[str, float]:
    by_key = {m.key: m for m in found}
    floor_rps = by_key["floor"].median("rps")
    print(f"\nmedians of {repeats} run(s) of {seconds} s each, wrk -t{WRK_THREADS} "
          f"-c{CONNECTIONS}")
    print(f"{'measurement':<34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'/ floor':>8}")
    for m in found:
        rps = m.median("rps")
        print(f"{m.label:<34} {rps:>8.0f} {m.median('p50_ms'):>8.1f} "
              f"{m.median('p99_ms'):>8.1f} {rps / floor_rps:>8.2f}")
    shared = by_key["shared"]
    figures = {
        "shared_rps": shared.median("rps"),
        "floor_rps": floor_rps,
        "shared_ratio": shared.median("rps") / floor_rps,
        "shared_p99_ms": shared.median("p99_ms"),
        "api_rps": by_key["api"].median("rps"),
        "save_rps": by_key["save"].median("rps"),
        "daphne_shared_rps": by_key["daphne_shared"].median("rps") if "daphne_shared" in by_key
        else 0.0,
    }
    if figures["daphne_shared_rps"]:
        print(f"gunicorn / daphne on the shared page: "
              f"{figures['shared_rps'] / figures['daphne_shared_rps']:.2f}x the requests, "
              f"p99 {figures['shared_p99_ms']:.0f} ms against "
              f"{by_key['daphne_shared'].median('p99_ms'):.0f} ms")

    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT MET"

    print("\ntargets (timing never fails the bench):")
    print(f"  shared page >= {TARGET_SHARED_RATIO}x floor: {figures['shared_ratio']:.2f}x "
          f"{verdict(figures['shared_ratio'] >= TARGET_SHARED_RATIO)}")
    print(f"  shared page >= {TARGET_SHARED_RPS} req/s at p99 <= {TARGET_SHARED_P99_MS} ms: "
          f"{figures['shared_rps']:.0f} req/s, p99 {figures['shared_p99_ms']:.1f} ms "
          f"{verdict(figures['shared_rps'] >= TARGET_SHARED_RPS and figures['shared_p99_ms'] <= TARGET_SHARED_P99_MS)}")  # noqa: E501
    print(f"  saves >= {TARGET_SAVE_RPS}/s: {figures['save_rps']:.0f}/s "
          f"{verdict(figures['save_rps'] >= TARGET_SAVE_RPS)}")
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="1 repeat of 1 s (smoke test)")
    parser.add_argument("--seconds", type=int, help="seconds per wrk run (default 10)")
    parser.add_argument("--repeats", type=int, help="runs per measurement (default 3)")
    parser.add_argument("--no-asgi", action="store_true", help="skip the daphne comparison")
    options = parser.parse_args(argv)
    seconds = options.seconds or (1 if options.quick else 10)
    repeats = options.repeats or (1 if options.quick else 3)
    if shutil.which("wrk") is None:
        print("bench/http.py needs wrk: apt-get install wrk", file=sys.stderr)
        return 2

    print(f"load average at start: {_load()}; {os.cpu_count()} cores; Python "
          f"{sys.version.split()[0]}")
    nonce = secrets.token_hex(4)
    notes: list[str] = []
    try:
        with contextlib.ExitStack() as stack:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-http-")))
            database_url = stack.enter_context(fresh_database(
                stack.enter_context(postgres_server()), f"playground_bench_{os.getpid()}"))
            redis_url = stack.enter_context(redis_server(REDIS_DB))
            s3_endpoint, stop_moto = start_moto_server()
            stack.callback(stop_moto)
            s3_client(s3_endpoint).create_bucket(Bucket=BUCKET)
            dist, dist_note = frontend_dist(workdir)
            env = server_env(settings_module="bench.http_settings", database_url=database_url,
                             redis_url=redis_url, s3_endpoint=s3_endpoint, s3_bucket=BUCKET,
                             workdir=workdir, dist=dist)
            # Every save is a new revision of 5-20 KB; the default quota would end the run.
            env["STORAGE_PER_USER_BYTES"] = str(50 * 1024**3)
            os.environ.update(env)
            import django
            from django.core.management import call_command
            from django.db import connection

            django.setup()
            started = time.monotonic()
            call_command("migrate", verbosity=0)
            data = seed(workdir)
            connection.close()
            print(f"database {database_url.rsplit('/', 1)[1]} migrated and seeded in "
                  f"{time.monotonic() - started:.1f} s; the pages name the scripts of "
                  f"{dist_note}")

            app = stack.enter_context(gunicorn(env, workdir))
            asgi = None if options.no_asgi else stack.enter_context(daphne_pair(env, workdir))
            found = measurements(data, app, asgi, nonce, notes)
            for m in found:
                m.check_before()
                _warm_up(m, 1 if options.quick else WARM_UP_SECONDS)
            for repeat in range(repeats):
                for m in found:
                    m.runs.append(_answered_run(m, seconds))
                    print(f"  repeat {repeat + 1}: {m.label:<34} {m.runs[-1].rps:>7.0f} req/s  "
                          f"p99 {m.runs[-1].p99_ms:>6.1f} ms", flush=True)
            for m in found:
                m.check_after()
    except (BenchFailed, StackFailed) as failure:
        print(f"bench failed: {failure}", file=sys.stderr)
        return 1
    for note in notes:
        print(note)
    print("every response had the expected status; checks before and after each series passed")
    figures = report(found, repeats, seconds)
    print(f"load average at end: {_load()}")
    print(" ".join(f"{name}={value:.0f}" if name.endswith("rps") else f"{name}={value:.2f}"
                   for name, value in figures.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
