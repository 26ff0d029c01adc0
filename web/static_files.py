"""How WhiteNoise serves /static/: the headers every file carries and which files never change.

Both functions are named in the settings (``WHITENOISE_ADD_HEADERS_FUNCTION``,
``WHITENOISE_IMMUTABLE_FILE_TEST``) and run once per file when WhiteNoise indexes
``STATIC_ROOT``, or on each request in development (autorefresh).
"""

from wsgiref.headers import Headers

from django.conf import settings

from web.security_headers import CROSS_ORIGIN_ISOLATION

# Paths under /static/ whose names change whenever their bytes do (docs/frontend-contract.md):
# Vite's hashed chunks, and the Pyodide memory snapshot named by a hash of what it holds.
IMMUTABLE_DIRECTORIES = ("assets/", "snapshot/")
#: Scripts other sites include in their pages (the ``<playground-notebook>`` element).
FOR_OTHER_SITES = ("embed.js",)


def _static_prefix() -> str:
    return "/" + settings.STATIC_URL.strip("/") + "/"


def static_file_is_immutable(path: str, url: str) -> bool:
    """Whether ``url`` names content that can be cached forever (its name is its hash)."""
    prefix = _static_prefix()
    if not url.startswith(prefix):
        return False
    return url[len(prefix) :].startswith(IMMUTABLE_DIRECTORIES)


def add_static_file_headers(headers: Headers, path: str, url: str) -> None:
    """Cross-origin isolation on every static file, as on the pages that load them.

    The Pyodide worker script needs COEP itself, or a cross-origin-isolated page may
    not start it; CORP keeps other sites from loading our files into their processes.
    """
    for name, value in CROSS_ORIGIN_ISOLATION.items():
        headers[name] = value
    if url[len(_static_prefix()):] in FOR_OTHER_SITES:
        # Made to be loaded by pages of any site (docs/folders.md, "Embeds").
        headers["Cross-Origin-Resource-Policy"] = "cross-origin"
