"""The API reference page documents every public module of dlref."""

from __future__ import annotations

import pkgutil
import re
from pathlib import Path

import dlref

ROOT = Path(__file__).resolve().parents[1]


def public_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(dlref.__path__, "dlref."):
        parts = info.name.split(".")
        if any(p.startswith("_") for p in parts):
            continue
        names.append(info.name)
    return sorted(names)


def test_every_public_module_is_in_the_api_reference():
    text = (ROOT / "docs" / "api" / "index.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^::: (dlref[\w.]*)", text, flags=re.M))
    missing = [
        m for m in public_modules()
        if m not in documented and not any(d.startswith(m + ".") or m.startswith(d + ".") for d in documented)
    ]
    assert not missing, f"add these modules to docs/api/index.md: {missing}"
