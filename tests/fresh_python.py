"""Running a piece of Python in a fresh interpreter, as a new ``kdc`` process starts: what
it imports and how it exits are then its own, not the test session's."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path


def run_python(
    code: str,
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: int = 60,
) -> subprocess.CompletedProcess[str]:
    """``code`` run by this interpreter with ``python -c``, in ``cwd``, with this process's
    environment plus ``env``; its output is captured as text (the caller checks the exit)."""
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env={**os.environ, **(env or {})},
    )
