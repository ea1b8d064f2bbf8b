"""Importing the rule, store and INSi layers must not pull Textual in.

Run in a fresh interpreter: inside pytest other tests may already have imported
textual, which would make the check meaningless.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

PACKAGES = ["ins_tui.domain", "ins_tui.store", "ins_tui.insi"]

_PROBE = """
import importlib, json, pkgutil, sys
name = sys.argv[1]
package = importlib.import_module(name)
imported = [name]
for info in pkgutil.walk_packages(package.__path__, name + "."):
    importlib.import_module(info.name)
    imported.append(info.name)
heavy = sorted({m.split(".")[0] for m in sys.modules} & {"textual", "rich"})
print(json.dumps({"imported": imported, "heavy": heavy}))
"""


def _probe(package: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, package], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


@pytest.mark.parametrize("package", PACKAGES)
def test_package_and_all_its_modules_import_without_textual(package):
    result = _probe(package)
    assert "textual" not in result["heavy"], result
    # The walk must have reached the submodules, not only the package itself.
    assert len(result["imported"]) > 3, result


def test_domain_imports_only_stdlib_stdnum_and_itself():
    probe = """
import sys, json
before = set(sys.modules)
import ins_tui.domain.traits, ins_tui.domain.compare, ins_tui.domain.status
import ins_tui.domain.matricule, ins_tui.domain.documents
new = {m.split(".")[0] for m in set(sys.modules) - before}
print(json.dumps(sorted(new)))
"""
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    top_level = set(json.loads(done.stdout))
    third_party = {
        m
        for m in top_level - set(sys.stdlib_module_names) - {"ins_tui", "stdnum"}
        if not m.startswith("_sysconfigdata")  # generated stdlib module
    }
    assert third_party == set()


def test_probe_detects_textual():
    # The probe can fail: importing the TUI package does pull textual in.
    done = subprocess.run(
        [sys.executable, "-c", "import textual, sys; print('textual' in sys.modules)"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert done.stdout.strip() == "True"
