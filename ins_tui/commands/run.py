"""`ins-tui run`: open the front-desk app (training mode with `--training`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ins_tui.cli import EXIT_INVALID, EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("run", help="Ouvrir l'accueil (plein écran)")
    parser.add_argument(
        "--training", action="store_true",
        help="mode FORMATION : base à part, simulateur INSi, cartes de test",
    )
    parser.add_argument("--db", type=Path, help="fichier de base de données")
    parser.add_argument("--theme", help="thème : auto, ins-tui-dark, ins-tui-light, ins-tui-16")
    parser.add_argument("--operator", help="nom de la personne à l'accueil (journal)")
    parser.add_argument(
        "--plain", action="store_true",
        help="affichage simple : symboles ASCII et cadres de la console Linux (automatique "
             "avec TERM=linux)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ins_tui.config import ConfigError, load_config

    try:
        config = load_config()
    except ConfigError as exc:
        print(exc)
        return EXIT_INVALID
    if args.plain:  # issue 12 F16: the switch the app reads once at start
        import dataclasses

        config = dataclasses.replace(config, plain=True)
    from ins_tui.tui.launch import LaunchError, launch

    try:
        return launch(
            config, training=args.training, db_path=args.db, theme=args.theme,
            operator=args.operator,
        )
    except LaunchError as exc:
        print(exc)
        return EXIT_INVALID
    return EXIT_OK
