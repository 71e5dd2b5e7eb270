"""Figures for pages and scripts: one call, [`show()`][dlref.lab.figures.show], that works in both places.

During a site build (inside [`capturing()`][dlref.lab.figures.capturing]) a figure is rendered to SVG and handed to
the page with a provenance caption; in a Jupyter kernel (the executed notebooks) it is
displayed inline with the same caption; run standalone, the same snippet saves a PNG and
prints where it went. Figures use a white canvas so they stay readable in dark mode.
"""

from __future__ import annotations

import base64
import contextlib
import contextvars
import html
import io
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from dlref import validate

if TYPE_CHECKING:
    from matplotlib.figure import Figure

_sinks: contextvars.ContextVar[tuple[list, ...]] = contextvars.ContextVar("dlref_figure_sinks", default=())


@dataclass(frozen=True)
class CapturedFigure:
    """A figure rendered during a build: its name, SVG text and caption."""

    name: str
    svg: str
    caption: str

    def __post_init__(self) -> None:
        validate.instance("name", self.name, str)
        validate.instance("svg", self.svg, str)
        validate.instance("caption", self.caption, str)


@contextlib.contextmanager
def capturing() -> Iterator[list[CapturedFigure]]:
    """Collect figures passed to [`show()`][dlref.lab.figures.show] inside the block instead of saving them."""
    sink: list[CapturedFigure] = []
    token = _sinks.set(_sinks.get() + (sink,))
    try:
        yield sink
    finally:
        _sinks.reset(token)


#: Placeholder for the site's figures folder in build HTML; the site plugin replaces it with a
#: page-relative path, so one cached block can appear on pages at any depth.
BUILD_FIGURE_PREFIX = "@@dlref-figures@@/"


def store_svg(fig: CapturedFigure, directory: Path) -> str:
    """Write the figure's SVG once into ``directory``, named by its content hash; return the file name."""
    import hashlib

    validate.instance("fig", fig, CapturedFigure)
    directory = Path(validate.path("directory", directory))
    name = hashlib.sha256(fig.svg.encode("utf-8")).hexdigest()[:20] + ".svg"
    path = directory / name
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(fig.svg, encoding="utf-8")
        tmp.replace(path)
    return name


def figure_html(fig: CapturedFigure, provenance_line: str, src: str | None = None) -> str:
    """HTML for a captured figure and its caption.

    Args:
        fig: the captured figure.
        provenance_line: where and when it was generated.
        src: URL of the SVG file; default: the SVG inlined as a data URI (an ``<img>``, so the
            ids inside several SVGs on one page cannot clash).
    """
    validate.instance("fig", fig, CapturedFigure)
    validate.instance("provenance_line", provenance_line, str)
    validate.instance("src", src, str, optional=True)
    data = src or "data:image/svg+xml;base64," + base64.b64encode(fig.svg.encode("utf-8")).decode("ascii")
    caption = html.escape(fig.caption)
    prov = html.escape(f"Generated at build: {provenance_line}")
    return (
        f'<figure class="dlref-figure" id="fig-{fig.name}">'
        f'<img alt="{caption or fig.name}" loading="lazy" src="{data}">'
        f"<figcaption>{caption}<br><small>{prov}</small></figcaption></figure>"
    )


def _in_jupyter_kernel() -> bool:
    if "ipykernel" not in sys.modules:
        return False
    from IPython import get_ipython

    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


def new(ncols: int = 1, nrows: int = 1, width: float = 6.4, height: float = 4.0, **kwargs) -> tuple:
    """A figure and axes with dlref's defaults (white canvas, constrained layout).

    Returns:
        ``(fig, axes)`` as `matplotlib.pyplot.subplots()` returns them.
    """
    validate.positive_int("ncols", ncols)
    validate.positive_int("nrows", nrows)
    validate.real("width", width, low=0.0, low_open=True)
    validate.real("height", height, low=0.0, low_open=True)
    import matplotlib

    if "MPLBACKEND" not in os.environ:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(nrows, ncols, figsize=(width, height), layout="constrained", **kwargs)
    fig.patch.set_facecolor("white")
    return fig, axes


def show(fig: "Figure", name: str, caption: str = "") -> Path | None:
    """Publish a figure: onto the page during a build, or to a PNG file when run standalone.

    Args:
        fig: the matplotlib figure.
        name: a short file-name-like identifier, e.g. ``"mlp-loss-surface"``.
        caption: one sentence saying what the figure shows.

    Returns:
        The PNG path when saved to disk, ``None`` when captured by a build.

    Raises:
        ValueError: ``name`` is empty or contains characters other than letters, digits, ``-`` and ``_``.
    """
    from matplotlib.figure import Figure

    validate.instance("fig", fig, Figure, what="a matplotlib Figure")
    validate.instance("name", name, str)
    validate.instance("caption", caption, str)
    if not re.fullmatch(r"[A-Za-z0-9_-]+", name or ""):
        raise ValueError(f"figure name must be letters, digits, '-' or '_'; got {name!r}")
    import matplotlib.pyplot as plt

    import matplotlib

    sinks = _sinks.get()
    try:
        if sinks or _in_jupyter_kernel():
            buffer = io.StringIO()
            # A fixed salt for the SVG's internal ids (random per process otherwise): the same
            # figure gives the same bytes, hence the same file name, in every build.
            with matplotlib.rc_context({"svg.hashsalt": "dlref"}):
                fig.savefig(buffer, format="svg", facecolor="white", metadata={"Date": None})
            figure = CapturedFigure(name, buffer.getvalue(), caption)
            for sink in sinks:
                sink.append(figure)
            if not sinks:
                from IPython.display import HTML, display

                from dlref.lab import provenance

                build_dir = os.environ.get("DLREF_BUILD_FIGURES")  # set by the site build for its kernels
                src = BUILD_FIGURE_PREFIX + store_svg(figure, Path(build_dir)) if build_dir else None
                display(HTML(figure_html(figure, provenance.one_line(provenance.collect()), src=src)))
            return None
        out_dir = Path(os.environ.get("DLREF_FIG_DIR", Path(tempfile.gettempdir()) / "dlref-figures"))
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / f"{name}.png"
        fig.savefig(path, dpi=120, facecolor="white")
        print(f"[figure saved to {path}]")
        return path
    finally:
        plt.close(fig)
