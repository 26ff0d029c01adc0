"""Which package-index project provides a module a cell imports.

Most projects are named like their module (``import six`` -> six); the few that are
not are in :data:`PROJECT_FOR_MODULE`, the same table as the browser's
(frontend/src/packages/install.ts), so a server kernel (serverkernels/extras.py)
and a static site (kernels/runtime/site_wheels.py) install what the page would.
Standard library only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

#: Import names whose project has another name (pure-Python ones only). The same
#: table as the browser's PROJECT_FOR_MODULE (frontend/src/packages/install.ts).
PROJECT_FOR_MODULE: Mapping[str, str] = {
    "attr": "attrs",
    "bs4": "beautifulsoup4",
    "dateutil": "python-dateutil",
    "dotenv": "python-dotenv",
    "jwt": "pyjwt",
    "magic": "python-magic",
    "multipart": "python-multipart",
    "slugify": "python-slugify",
    "tomli_w": "tomli-w",
    "typing_extensions": "typing-extensions",
}


def project_normalized(name: str) -> str:
    """PEP 503: ``Typing_Extensions`` -> ``typing-extensions``."""
    return re.sub(r"[-_.]+", "-", name).lower()
