"""Make the repository root importable when pytest runs without project config.

The suites in this folder import ``kernels.runtime`` directly. If the package is
already importable (installed, or ``pythonpath`` configured) nothing changes.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[3]

if importlib.util.find_spec("kernels") is None and (_ROOT / "kernels").is_dir():
    sys.path.insert(0, str(_ROOT))
