"""The security headers of our pages: cross-origin isolation and Content-Security-Policy.

Why each value is what it is: docs/security.md. Views that need a different policy
(the embeddable playground, the output frame) set these headers themselves; the
middleware fills in the defaults for every other response.
"""

from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit

from django.conf import settings

# Pyodide needs SharedArrayBuffer (interrupting a running cell), which browsers only
# give to cross-origin-isolated pages: COOP + COEP on the page, and COEP on its worker.
CROSS_ORIGIN_ISOLATION: Mapping[str, str] = {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def policy_header(directives: Mapping[str, Sequence[str]]) -> str:
    """Join CSP directives into one header value (``name source source; ...``)."""
    return "; ".join(" ".join([name, *sources]) for name, sources in directives.items())


def _origin_of(url: str | None) -> list[str]:
    """The origin of an absolute URL as a CSP source; nothing for a same-origin path."""
    if not url:
        return []
    parts = urlsplit(url)
    if not (parts.scheme and parts.netloc):
        return []
    return [f"{parts.scheme}://{parts.netloc}"]


def app_content_security_policy(*, frame_ancestors: Sequence[str] = ("'self'",)) -> str:
    """The policy of our own pages on both sites (the app's pages, /play, error pages).

    Scripts only from our origin, never inline: untrusted output never runs in these
    pages; it runs in the output frame, which has its own policy. ``frame_ancestors``
    says who may frame the page: ``*`` for ``/play?embed=true``, the app's origin for
    the playground the app's pages embed (``/play?hosted=1``).
    """
    return policy_header(
        {
            "default-src": ["'self'"],
            # Pyodide compiles WebAssembly; no eval of JavaScript.
            "script-src": ["'self'", "'wasm-unsafe-eval'"],
            "worker-src": ["'self'", "blob:"],
            "connect-src": ["'self'", *_origin_of(settings.PYODIDE_PACKAGES_URL)],
            "img-src": ["'self'", "data:", "blob:"],
            # CodeMirror injects <style> elements.
            "style-src": ["'self'", "'unsafe-inline'"],
            "font-src": ["'self'", "data:"],
            # 'self': the output frame (/play/output-frame); the user-content site: the
            # playground the app's pages embed. srcdoc frames need no source here, and
            # blob:/data: frames inherit this policy anyway.
            "frame-src": ["'self'", settings.USERCONTENT_ORIGIN, "blob:", "data:"],
            "object-src": ["'none'"],
            "base-uri": ["'none'"],
            "form-action": ["'self'"],
            "frame-ancestors": list(frame_ancestors),
        }
    )


# The output frame shows notebook output (HTML, SVG, markdown, widgets' scripts): content
# we do not trust, so the policy makes the frame an opaque origin of its own (the
# `sandbox` directive, without allow-same-origin) and then lets its scripts run.
OUTPUT_FRAME_SANDBOX = "allow-scripts allow-popups allow-popups-to-escape-sandbox allow-downloads"


def output_frame_content_security_policy() -> str:
    """The policy of /play/output-frame: sandboxed, inline scripts allowed inside it."""
    anywhere = ["https:", "data:", "blob:"]
    return policy_header(
        {
            "sandbox": OUTPUT_FRAME_SANDBOX.split(),
            "default-src": ["'none'"],
            "script-src": ["'unsafe-inline'", "'unsafe-eval'", *anywhere],
            "style-src": ["'unsafe-inline'", *anywhere],
            "img-src": anywhere,
            "media-src": anywhere,
            "font-src": anywhere,
            "connect-src": anywhere,
            "object-src": ["'none'"],
            "form-action": ["'none'"],
            # Framed by /play, which may itself be embedded anywhere (?embed=true).
            "frame-ancestors": ["*"],
        }
    )
