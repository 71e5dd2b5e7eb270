"""Shared fixtures: where the repository and the built site live."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SITE = Path(os.environ.get("DLREF_SITE_DIR") or ROOT / "site")  # DLREF_SITE_DIR: a site built elsewhere


@pytest.fixture(scope="session")
def site_dir() -> Path:
    """The built site/; fails (not skips) when it has not been built."""
    missing = [p for p in (SITE, SITE / "build-report.json") if not p.exists()]
    if missing:
        pytest.fail(
            f"{', '.join(str(p) for p in missing)} missing: run `make docs` first",
            pytrace=False,
        )
    return SITE
