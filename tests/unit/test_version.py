"""The version is written once (kdc_core.__version__) and everything reports the same one."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import kdc_core


def test_the_package_version_is_the_distributions():
    assert kdc_core.__version__ == version("kdc-core")


def test_kdc_version_prints_the_distributions_version(tmp_path):
    kdc = Path(sys.executable).with_name("kdc")
    done = subprocess.run(
        [str(kdc), "--version"], capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"kdc, version {version('kdc-core')}"
