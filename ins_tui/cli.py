"""The `ins-tui` entry point.

Each sub-command lives in `ins_tui/commands/<name>.py` and exposes
`register(subparsers)`; this module only wires them, so that starting one
command never imports another command's heavy dependencies (zeep, smartcard,
textual).
"""

from __future__ import annotations

import argparse
import importlib
import io
import os
import sys

# Order is the order shown in `ins-tui --help`.
COMMAND_MODULES = ("run", "traits", "db", "demo", "insi", "card", "export", "label",
                   "report", "config")

EXIT_OK = 0
EXIT_INVALID = 2
# Reader gone (`ins-tui … --json | head -1`): 128 + SIGPIPE, what a shell reports for a
# program that the closed pipe stopped, so scripts see the same code either way.
EXIT_BROKEN_PIPE = 141


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
    """Run one command; a reader that closed the pipe ends it quietly (no traceback).

    stdout is flushed here, inside the guard: a small output still sits in Python's buffer
    when the command returns and would otherwise fail at interpreter exit, out of reach.
    """
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            # No sub-command: open the app, as a secretary would expect.
            args = parser.parse_args(["run", *(argv or [])])
        code = int(args.func(args) or 0)
        sys.stdout.flush()
    except BrokenPipeError:
        _stdout_to_devnull()
        return EXIT_BROKEN_PIPE
    return code


def _stdout_to_devnull() -> None:
    """What is left in stdout's buffer goes nowhere instead of failing again at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        pass  # stdout is not a file (tests capture it): nothing will flush to a pipe


if __name__ == "__main__":
    sys.exit(main())
