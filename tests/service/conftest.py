"""Fixtures for the service tests: a small frontend build made in a temporary folder.

``fake_dist`` writes what ``make frontend-build`` leaves in frontend/dist
(docs/frontend-contract.md), tiny but with the real names and layout, and points
``FRONTEND_DIST_DIR`` at it. Tests never depend on whether the real build exists.
"""

import gzip
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client
from pytest_django import Settings

ENTRY_SCRIPT = "assets/main-AbC12345.js"
ENTRY_CSS = "assets/main-Zz998877.css"
CHUNK = "assets/chunk-Q1w2E3r4.js"
CHUNK_CSS = "assets/chunk-Cc112233.css"
WORKER = "assets/worker-Wk55aa66.js"
HOST_SCRIPT = "assets/host-Hh77bb88.js"
SNAPSHOT = "snapshot/3f2a9c1d.bin"
ASSETS = {
    "pyodideVersion": "314.0.7",
    "runtimeWheel": "wheels/playground_runtime-0.1.0-py3-none-any.whl",
    "micropipWheel": "wheels/micropip-0.11.1-py3-none-any.whl",
    "snapshot": SNAPSHOT,
    "snapshotKey": "3f2a9c1d",
}
MANIFEST = {
    "src/main.ts": {
        "file": ENTRY_SCRIPT,
        "name": "main",
        "src": "src/main.ts",
        "isEntry": True,
        "imports": ["_chunk-Q1w2E3r4.js"],
        "css": [ENTRY_CSS],
    },
    "_chunk-Q1w2E3r4.js": {"file": CHUNK, "name": "chunk", "css": [CHUNK_CSS]},
    "src/kernel/worker.ts": {"file": WORKER, "src": "src/kernel/worker.ts"},
    "src/host/main.ts": {"file": HOST_SCRIPT, "name": "host", "src": "src/host/main.ts", "isEntry": True},
}


@dataclass
class FakeDist:
    root: Path
    snapshot_bytes: bytes

    def write_manifest(self, manifest: object) -> None:
        (self.root / ".vite" / "manifest.json").write_text(json.dumps(manifest))


def build_fake_dist(root: Path) -> FakeDist:
    files: dict[str, bytes] = {
        ".vite/manifest.json": json.dumps(MANIFEST).encode(),
        "playground-assets.json": json.dumps(ASSETS).encode(),
        ENTRY_SCRIPT: b"import './chunk-Q1w2E3r4.js';\n" + b"console.log('playground');\n" * 50,
        ENTRY_CSS: b"body { margin: 0; }\n",
        CHUNK: b"export const chunk = 1;\n",
        CHUNK_CSS: b".cell { padding: 0; }\n",
        WORKER: b"self.onmessage = () => {};\n",
        HOST_SCRIPT: b"console.log('host');\n",
        "pyodide/pyodide.mjs": b"export async function loadPyodide() {}\n" * 50,
        "pyodide/pyodide.asm.mjs": b"export default {};\n",
        "pyodide/pyodide.asm.wasm": b"\x00asm\x01\x00\x00\x00" + bytes(4000),
        "pyodide/python_stdlib.zip": b"PK\x05\x06" + bytes(18),
        "pyodide/pyodide-lock.json": b'{"info": {"version": "314.0.7"}, "packages": {}}',
        ASSETS["runtimeWheel"]: b"PK\x05\x06" + bytes(18),
        ASSETS["micropipWheel"]: b"PK\x05\x06" + bytes(18),
    }
    snapshot = bytes(range(256)) * 400
    files[SNAPSHOT] = snapshot
    files[SNAPSHOT + ".gz"] = gzip.compress(snapshot, compresslevel=9)
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return FakeDist(root=root, snapshot_bytes=snapshot)


@pytest.fixture
def fake_dist(tmp_path: Path, settings: Settings) -> FakeDist:
    dist = build_fake_dist(tmp_path / "dist")
    settings.FRONTEND_DIST_DIR = dist.root
    return dist


@pytest.fixture
def usercontent() -> Client:
    """A test client for the user-content site (USERCONTENT_ORIGIN), where /play lives."""
    return Client(HTTP_HOST="usercontent.testserver")
