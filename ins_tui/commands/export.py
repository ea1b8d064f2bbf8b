"""`ins-tui export …`: hand the practice's identities to other software (FHIR, HL7 v2).

Each format is a sub-action registered by its own module (`export_fhir.py`,
`export_hl7.py`), so one format's heavy dependencies are imported only when it runs, and a
format whose module is not there yet simply does not appear.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util

FORMAT_MODULES = ("export_fhir", "export_hl7")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "export", help="Exporter ou transmettre les identités (FHIR FR Core, HL7 v2)")
    actions = parser.add_subparsers(dest="export_action", metavar="FORMAT", required=True)
    for name in FORMAT_MODULES:
        module_name = f"ins_tui.commands.{name}"
        if importlib.util.find_spec(module_name) is None:
            continue  # that format is not built yet
        importlib.import_module(module_name).register(actions)
