"""`ins-tui db check`: tell support staff whether a database file can be trusted.

Exit 0 when every check passes, 2 otherwise (missing file, newer schema, damaged file,
broken journal chain, impossible identity state). Read-only: it never repairs.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ins_tui.cli import EXIT_INVALID, EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("db", help="Vérifier la base de données")
    actions = parser.add_subparsers(dest="db_action", metavar="ACTION", required=True)
    check = actions.add_parser(
        "check",
        help="Vérifier schéma, intégrité, références, chaîne du journal et identités",
    )
    check.add_argument("--db", required=True, type=Path, metavar="CHEMIN",
                       help="fichier SQLite à vérifier")
    check.add_argument("--key", type=Path, metavar="FICHIER",
                       help="clé du journal (par défaut : journal.key de la configuration)")
    check.add_argument("--json", action="store_true", help="sortie JSON")
    check.set_defaults(func=run_check)


def run_check(args: argparse.Namespace) -> int:
    """Print every check, not only the first failure: support fixes them in one visit."""
    from ins_tui.store.check import check_database

    report = check_database(args.db, key_path=getattr(args, "key", None))
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        out = sys.stdout
        print(f"Base : {report.path}", file=out)
        for item in report.items:
            mark = "ÉCHEC" if not item.ok else "ATTENTION" if item.warning else "OK"
            print(f"  [{mark}] {item.name} : {item.message_fr}", file=out)
            for detail in item.details:
                print(f"        - {detail}", file=out)
        verdict = ("Base valide." if report.valid
                   else "Base NON valide : voir les échecs ci-dessus.")
        print(verdict, file=out)
    return EXIT_OK if report.valid else EXIT_INVALID
