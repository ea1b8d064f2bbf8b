"""`ins-tui insi`: one INSi traits search from the command line, and the simulator.

This module is only the `insi` command's entry point (`register`, loaded by
`ins_tui/cli.py`); each sub-command lives in its own module, so its rules are found in
one place:
- `insi_search.py`: `insi search`, the traits as typed, judged, sent, printed;
- `insi_target.py`: which INSi a search talks to (configured mTLS, CPx card, training
  simulator) and the French refusals when that cannot be set up;
- `insi_outcome.py`: the stable exit codes and the `--json` document (docs/cli-insi.md);
- `insi_simulator.py`: `insi simulator`, the simulator in the foreground.
"""

from __future__ import annotations

import argparse

from ins_tui.commands import insi_search, insi_simulator
from ins_tui.commands.insi_outcome import (
    EXIT_FOUND,
    EXIT_NOT_FOUND,
    EXIT_SERVICE,
    RUN_AGAIN,
    outcome_to_dict,
)
from ins_tui.commands.insi_search import run_search
from ins_tui.commands.insi_simulator import run_simulator_command

__all__ = [
    "EXIT_FOUND",
    "EXIT_NOT_FOUND",
    "EXIT_SERVICE",
    "RUN_AGAIN",
    "outcome_to_dict",
    "register",
    "run_search",
    "run_simulator_command",
]


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("insi", help="Téléservice INSi : recherche d'INS, simulateur")
    insi_sub = parser.add_subparsers(dest="insi_command", metavar="SOUS-COMMANDE", required=True)
    insi_search.register(insi_sub)
    insi_simulator.register(insi_sub)
