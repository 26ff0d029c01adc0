"""matplotlib figures render as PNG outputs when matplotlib is installed."""

from __future__ import annotations

import base64

from tests.runtime.kernel_driver import Driver, outputs


def _png(data: dict) -> bytes:
    return base64.b64decode(data["image/png"])


def test_figure_axes_and_plot_results_render_as_png():
    d = Driver()
    d.cells(
        ("setup", "import matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt"),
        ("fig", "fig, ax = plt.subplots()\nax.plot([1, 2, 3], [3, 1, 2])\nfig"),
        ("axes", "ax2 = plt.figure().add_subplot()\nax2.bar([1, 2], [3, 4])\nax2"),
        ("lines", "plt.figure()\nplt.plot([0, 1], [1, 0])"),
    )
    events = d.run_all()
    out = outputs(events)
    for cell_id in ("fig", "axes", "lines"):
        assert _png(out[cell_id]).startswith(b"\x89PNG"), cell_id
        assert "text/plain" in out[cell_id]
