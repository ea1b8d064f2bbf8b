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
    parser = sub.add_parser("db", help="Vérifier, sauvegarder, restaurer la base de données")
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
    rekey = actions.add_parser(
        "rekey",
        help="Sceller le journal avec une nouvelle clé après la perte de l'ancienne",
    )
    rekey.add_argument("--db", required=True, type=Path, metavar="CHEMIN",
                       help="fichier SQLite dont la clé du journal est perdue")
    rekey.add_argument("--raison", required=True, metavar="TEXTE",
                       help="pourquoi la clé est remplacée (inscrit au journal)")
    rekey.add_argument("--key", type=Path, metavar="FICHIER",
                       help="fichier de la nouvelle clé (par défaut : journal.key)")
    rekey.set_defaults(func=run_rekey)
    from ins_tui.commands import db_backup, db_merge

    db_backup.register(actions)  # db backup, db restore
    db_merge.register(actions)  # db merge, db unmerge


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


def run_rekey(args: argparse.Namespace) -> int:
    """A lost key must not lock the practice out of its file, nor be replaced silently:
    the new key is used only when asked, with a reason, and that act is journaled."""
    import sqlite3

    from ins_tui.store import journal_key as keys
    from ins_tui.store.connection import connect
    from ins_tui.store.errors import StoreError
    from ins_tui.store.store import Store

    reason = args.raison.strip()
    if len(reason) < 5:
        print("Indiquez la raison du changement de clé (--raison), elle est inscrite au "
              "journal.")
        return EXIT_INVALID
    key_file = args.key or keys.default_key_path()
    try:
        conn = connect(args.db, create=False, read_only=True)
        row = conn.execute("SELECT value FROM settings WHERE key = 'journal_key_id'").fetchone()
        conn.close()
        current = keys.read_key(key_file)
    except (StoreError, sqlite3.Error, OSError, keys.JournalKeyError) as exc:
        print(f"Changement de clé impossible : {exc}")
        return EXIT_INVALID
    if current is not None and row is not None and keys.same(row[0], keys.key_id(current)):
        print(f"La clé {key_file} est bien celle de la base : rien n'a changé.")
        return EXIT_OK
    if current is not None:
        # A key that is there but not this file's is set aside, never overwritten: it may
        # be the right key of another database.
        aside = key_file.with_name(f"{key_file.name}.ecartee")
        key_file.rename(aside)
        print(f"Clé présente mise de côté (ce n'est pas celle de la base) : {aside}")
    try:
        with Store.open(args.db, create=False, key_path=key_file, rekey_reason=reason):
            pass
    except StoreError as exc:
        print(exc)
        return EXIT_INVALID
    print(f"Nouvelle clé du journal : {key_file} — à sauvegarder à part de la base.")
    print(f"Changement de clé inscrit au journal ; vérifiez : ins-tui db check --db {args.db}")
    return EXIT_OK
