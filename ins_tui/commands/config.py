"""`ins-tui config`: where the configuration and data live, and what is in force.

Support staff need to answer "which file is it reading?" without guessing, so the
command prints the resolved paths and the effective values (never a password).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path

from ins_tui.cli import EXIT_INVALID, EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("config", help="Afficher les chemins et la configuration en vigueur")
    parser.add_argument("action", choices=("paths", "show"), nargs="?", default="show")
    parser.add_argument("--json", action="store_true", help="sortie JSON")
    parser.set_defaults(func=run)


def _journal_key() -> Path:
    """The configured key file, else the store's default place (one rule: journal_key.py)."""
    from ins_tui.config import load_config
    from ins_tui.store.journal_key import default_key_path

    try:
        configured = load_config().journal_key
    except ValueError:
        configured = None
    return configured or default_key_path()


def run(args: argparse.Namespace) -> int:
    from ins_tui.config import ConfigError, config_dir, config_path, data_home, load_config

    if args.action == "paths":
        values = {
            "fichier_de_configuration": str(config_path()),
            "repertoire_de_configuration": str(config_dir()),
            "repertoire_de_donnees": str(data_home()),
            "cle_du_journal": str(_journal_key()),
        }
    else:
        try:
            config = load_config()
        except ConfigError as exc:
            print(exc)
            return EXIT_INVALID
        values = {
            k: (str(v) if isinstance(v, Path) else list(v) if isinstance(v, tuple) else v)
            for k, v in asdict(config).items()
        }
        values["mode"] = "production" if config.production else "formation"
    if args.json:
        print(json.dumps(values, ensure_ascii=False, indent=2))
    else:
        for key, value in values.items():
            print(f"{key} = {value}")
    return EXIT_OK
