"""Build and experiment profiles: ``quick`` (CPU-sized) and ``full`` (the real recipe).

``DLREF_PROFILE=quick|full`` sets the profile; without it the profile is ``full`` on CUDA
and ``quick`` everywhere else. Experiments read the profile to size themselves and record
it in their provenance.
"""

from __future__ import annotations

import os

PROFILES = ("quick", "full")


def profile() -> str:
    """Return the active profile, ``'quick'`` or ``'full'``.

    Raises:
        ValueError: ``DLREF_PROFILE`` is set to something else.

    Examples:
        >>> import dlref
        >>> dlref.profile() in ("quick", "full")
        True
    """
    value = os.environ.get("DLREF_PROFILE", "").strip().lower()
    if value:
        if value not in PROFILES:
            raise ValueError(f"DLREF_PROFILE must be one of {PROFILES}; got {value!r}")
        return value
    import torch

    return "full" if torch.cuda.is_available() else "quick"
