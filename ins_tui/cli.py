"""The `ins-tui` entry point.

Each sub-command lives in `ins_tui/commands/<name>.py` and exposes
`register(subparsers)`; this module only wires them, so that starting one
command never imports another command's heavy dependencies (zeep, smartcard,
textual).
"""

from __future__ import annotations

import argparse
import importlib
import sys

# Order is the order shown in `ins-tui --help`.
COMMAND_MODULES = ("run", "traits", "db", "demo", "insi", "card", "config")

EXIT_OK = 0
EXIT_INVALID = 2


def build_parser() -> argparse.ArgumentParser:
    from ins_tui.cli_french import install

    install()
    parser = argparse.ArgumentParser(
        prog="ins-tui",
        description="Accueil du cabinet : INS, carte Vitale, qualification d'identité.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMANDE")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"ins_tui.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"ins_tui.commands.{name}":
                continue  # command not built yet
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        # No sub-command: open the app, as a secretary would expect.
        args = parser.parse_args(["run", *(argv or [])])
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
