"""Provenance: where, when and with what a number or figure was produced.

Every figure caption, page footer and stored result carries this record, so a reader can
tell which device, library versions, commit and profile stand behind it.
"""

from __future__ import annotations

import datetime as _dt
import functools
import platform
import subprocess
from pathlib import Path

from dlref import validate


def git_commit(path: str | Path = ".") -> str:
    """Short commit hash of the repository containing ``path``, with ``+dirty`` for local changes.

    Returns ``"unknown"`` outside a git checkout (e.g. an installed wheel). Cached per path.
    """
    validate.path("path", path)
    return _git_commit(str(path))


@functools.lru_cache(maxsize=None)
def _git_commit(path: str) -> str:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short=10", "HEAD"], cwd=path, capture_output=True, text=True, timeout=10, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=path, capture_output=True, text=True, timeout=10
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return commit + ("+dirty" if dirty else "")


def collect(root: str | Path = ".") -> dict[str, str]:
    """The provenance record: profile, device, versions, commit and UTC time.

    Examples:
        >>> record = collect()
        >>> sorted(record)
        ['commit', 'date', 'device', 'dlref', 'platform', 'profile', 'python', 'torch']
    """
    import torch

    import dlref
    from dlref.lab.device import describe, device

    validate.path("root", root)
    return {
        "profile": dlref.profile(),
        "device": describe(device()),
        "torch": torch.__version__,
        "dlref": dlref.__version__,
        "python": platform.python_version(),
        "platform": f"{platform.system()} {platform.machine()}",
        "commit": git_commit(str(root)),
        "date": utc_now(),
    }


def utc_now() -> str:
    """The current UTC time to the minute, as provenance records write it."""
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def one_line(record: dict[str, str]) -> str:
    """Format a provenance record as one short line for captions and footers."""
    validate.mapping("record", record, ("profile", "device", "torch", "dlref", "commit", "date"))
    return (
        f"profile {record['profile']} · {record['device']} · torch {record['torch']} · "
        f"dlref {record['dlref']} · commit {record['commit']} · {record['date']}"
    )
