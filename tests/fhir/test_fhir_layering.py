"""The FHIR adapter stays an adapter: importing all of it pulls in no desk, UI or command.

Run in a fresh interpreter (inside pytest other tests have imported everything already).
"""

from __future__ import annotations

import json
import subprocess
import sys

_PROBE = """
import importlib, json, pkgutil, sys
import ins_tui.fhir as package
names = [info.name for info in pkgutil.walk_packages(package.__path__, "ins_tui.fhir.")]
for name in names:
    importlib.import_module(name)
loaded = sorted(m for m in sys.modules if m.startswith(("ins_tui.desk", "ins_tui.tui",
                                                         "ins_tui.commands", "textual")))
print(json.dumps({"modules": names, "loaded": loaded}))
"""


def test_fhir_package_imports_no_higher_layer():
    done = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True,
                          check=True)
    result = json.loads(done.stdout)
    assert len(result["modules"]) >= 7, result  # the walk reached the modules
    assert result["loaded"] == [], result
