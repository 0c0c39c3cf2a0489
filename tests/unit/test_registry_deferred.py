"""``registry.deferred``: a registered function that imports its module when first called."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kdc_core.registry import deferred


def test_a_deferred_function_imports_its_module_only_when_called():
    script = (
        "import sys\n"
        "from kdc_core.registry import deferred\n"
        "parse = deferred('xml.dom.minidom:parseString')\n"
        "before = 'xml.dom.minidom' in sys.modules\n"
        "doc = parse('<a>1</a>')\n"
        "print(before, 'xml.dom.minidom' in sys.modules, doc.documentElement.tagName)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split() == ["False", "True", "a"]


def test_a_deferred_function_passes_arguments_and_names_its_target():
    dumps = deferred("json:dumps")
    assert dumps({"a": 1}, sort_keys=True) == '{"a": 1}'
    assert dumps.__name__ == "dumps" and "json:dumps" in (dumps.__doc__ or "")


def test_a_target_without_an_attribute_is_refused():
    with pytest.raises(ValueError, match="not 'module:attribute'"):
        deferred("json")


def test_a_missing_target_fails_when_called():
    missing = deferred("json:no_such_function")
    with pytest.raises(AttributeError):
        missing()
