"""Untrusted output stays in its sandbox: no cookies, no storage, no reaching into the app."""

from __future__ import annotations

import json

from playwright.sync_api import BrowserContext, expect

from tests.browser.notebook_page import NotebookPage
from tests.browser.service import RunningService

COOKIE_SECRET = "cookie-s3cret"
STORAGE_SECRET = "storage-s3cret"

# Runs inside the output frame and writes what it could reach into its own page.
_PROBE_HTML = """\
<p id="probe-result">the probe did not run</p>
<script>
(function () {
  var seen = {};
  try { seen.cookie = String(document.cookie); }
  catch (error) { seen.cookie = "threw " + error.name; }
  try { seen.localStorage = String(window.localStorage.getItem("pg_secret")); }
  catch (error) { seen.localStorage = "threw " + error.name; }
  try { parent.document.body.setAttribute("data-pwned", "yes"); seen.parentDocument = "wrote"; }
  catch (error) { seen.parentDocument = "threw " + error.name; }
  try { top.document.title = "pwned"; seen.topDocument = "wrote"; }
  catch (error) { seen.topDocument = "threw " + error.name; }
  try { top.location.hash = "#pwned"; seen.topLocation = "navigated"; }
  catch (error) { seen.topLocation = "threw " + error.name; }
  document.getElementById("probe-result").textContent = "PROBE " + JSON.stringify(seen);
})();
</script>
"""

_PROBE_CELL = f"""\
class Probe:
    def _repr_html_(self):
        return {_PROBE_HTML!r}

Probe()"""


def test_output_script_cannot_read_cookies_or_storage_or_touch_the_app_page(
    context: BrowserContext, notebook: NotebookPage, service: RunningService
) -> None:
    # A cookie of the playground's own site: the output frame must not read even that.
    context.add_cookies(
        [{"name": "pg_secret", "value": COOKIE_SECRET, "url": service.usercontent_url}]
    )
    notebook.open()
    notebook.page.evaluate("secret => localStorage.setItem('pg_secret', secret)", STORAGE_SECRET)
    assert COOKIE_SECRET in notebook.page.evaluate("document.cookie")
    app_title = notebook.page.title()
    app_url = notebook.page.url

    cell = notebook.add_code_cell(_PROBE_CELL)
    notebook.run_with_shift_enter(cell)

    frame = notebook.output(cell).frame_locator("iframe.output-frame")
    probe = frame.locator("#probe-result")
    expect(probe).to_contain_text("PROBE ")
    seen = json.loads(probe.inner_text().removeprefix("PROBE "))

    assert COOKIE_SECRET not in seen["cookie"], seen
    assert seen["localStorage"].startswith("threw"), seen
    assert seen["parentDocument"].startswith("threw"), seen
    assert seen["topDocument"].startswith("threw"), seen
    assert notebook.page.locator("body[data-pwned]").count() == 0
    assert notebook.page.title() == app_title
    assert notebook.page.url == app_url
    # The app's own secrets are still there: the frame was refused, not the setup broken.
    assert COOKIE_SECRET in notebook.page.evaluate("document.cookie")
    assert notebook.page.evaluate("localStorage.getItem('pg_secret')") == STORAGE_SECRET


def test_the_playground_site_never_sees_the_apps_cookies(
    context: BrowserContext, notebook: NotebookPage, service: RunningService
) -> None:
    """Notebook code runs on the user-content site: the app's session cookie is not there."""
    context.add_cookies(
        [{"name": "sessionid", "value": "app-session-s3cret", "url": service.base_url,
          "httpOnly": False}]
    )
    notebook.open()
    cell = notebook.add_code_cell(
        "import js\n"
        "seen_by_worker = str(js.eval('typeof document'))\n"
        "seen_by_worker"
    )
    notebook.run_with_shift_enter(cell)
    expect(notebook.output(cell)).to_contain_text("undefined")

    assert notebook.page.url.startswith(service.usercontent_url)
    assert "app-session-s3cret" not in notebook.page.evaluate("document.cookie")
    # A fetch of the app from the playground carries no cookie and cannot read the answer.
    result = notebook.page.evaluate(
        """async url => {
            try { const r = await fetch(url, {credentials: "include"}); return "read " + r.status; }
            catch (error) { return "refused"; }
        }""",
        service.base_url + "/api/notebooks",
    )
    assert result == "refused"
