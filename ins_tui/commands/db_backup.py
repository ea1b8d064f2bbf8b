"""`ins-tui db backup` and `ins-tui db restore`: a copy that is known good, and its return.

Registered by `commands/db.py` under `db`. The work is `store/backup.py`; this module
resolves the paths (the configured database when `--db` is absent, the journal key) and
says in French what was done, with every path, because an administrator reads it the
morning after a cron run. Exit 0 done, 2 refused or failed (`db check` failures listed).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ins_tui.cli import EXIT_INVALID, EXIT_OK

KEY_SUFFIX = ".key"


def register(actions: argparse._SubParsersAction) -> None:
    backup = actions.add_parser(
        "backup",
        help="Copier la base en service (sans arrêter les postes) puis vérifier la copie",
    )
    backup.add_argument("--db", type=Path, metavar="CHEMIN",
                        help="base à copier (par défaut : celle de la configuration)")
    backup.add_argument("destination", type=Path, metavar="COPIE",
                        help="fichier de la copie (son dossier doit exister)")
    backup.add_argument("--force", action="store_true",
                        help="remplacer COPIE si elle existe déjà")
    backup.add_argument("--with-key", action="store_true",
                        help="copier aussi la clé du journal en COPIE.key (0600)")
    backup.add_argument("--key", type=Path, metavar="FICHIER",
                        help="clé du journal (par défaut : journal.key de la configuration)")
    backup.add_argument("--json", action="store_true", help="sortie JSON")
    backup.set_defaults(func=run_backup)
    restore = actions.add_parser(
        "restore",
        help="Remettre en service une copie vérifiée (postes fermés)",
    )
    restore.add_argument("--db", type=Path, metavar="CHEMIN",
                         help="base à remplacer (par défaut : celle de la configuration)")
    restore.add_argument("source", type=Path, metavar="COPIE", help="copie à restaurer")
    restore.add_argument("--key", type=Path, metavar="FICHIER",
                         help="clé du journal (par défaut : journal.key de la configuration)")
    restore.add_argument("--json", action="store_true", help="sortie JSON")
    restore.set_defaults(func=run_restore)


def _journal_key_path(args: argparse.Namespace, config: Any) -> Path:
    """`--key`, else the configured `journal_key`, else the lead's default place."""
    from ins_tui.store.journal_key import default_key_path

    if args.key is not None:
        return args.key
    if config is not None and config.journal_key is not None:
        return config.journal_key
    return default_key_path()


def _paths(args: argparse.Namespace) -> tuple[Path, Path]:
    """The database and key paths; the configuration is read only when one is not given."""
    config = None
    if args.db is None or args.key is None:
        from ins_tui.config import load_config

        config = load_config()
    db = args.db if args.db is not None else config.db_path
    return db, _journal_key_path(args, config)


def run_backup(args: argparse.Namespace) -> int:
    """The copy is checked before it takes its name; the key's place is always said, since
    a copy whose key is lost can be read but no longer proven unedited."""
    from ins_tui.config import ConfigError
    from ins_tui.store.backup import BackupError, backup_database, copy_private

    try:
        db, key_file = _paths(args)
    except ConfigError as exc:
        return _fail(args, str(exc))
    key_copy = args.destination.with_name(args.destination.name + KEY_SUFFIX)
    if args.with_key and key_copy.exists() and not args.force:
        return _fail(args, f"{key_copy} existe déjà : rien n'a été copié (--force pour le "
                           "remplacer).")
    try:
        result = backup_database(db, args.destination, force=args.force, key_path=key_file)
    except BackupError as exc:
        return _fail(args, str(exc))
    key_info: dict[str, Any] = {"path": str(key_file), "exists": key_file.is_file(),
                                "copied_to": None}
    problems: list[str] = []
    if not result.valid:
        problems.append(
            f"Copie NON valide, mise de côté : {result.destination}. La sauvegarde a échoué ; "
            f"vérifiez la base en service : ins-tui db check --db {db}")
    elif args.with_key:
        try:
            copy_private(key_file, key_copy)
            key_info["copied_to"] = str(key_copy)
        except OSError as exc:
            from ins_tui.store.errors import reason_fr

            problems.append(f"Copie valide, mais clé du journal {key_file} non copiée : "
                            f"{reason_fr(exc)}.")
    key_info["message_fr"] = _key_message(key_file, result.destination, key_info["copied_to"])
    if args.json:
        _print_json({
            "action": "backup", "ok": not problems, "source": str(result.source),
            "destination": str(result.destination), "size_bytes": result.size_bytes,
            "patients": result.patients, "journal_rows": result.journal_rows,
            "duration_s": round(result.duration_s, 3), "steps": result.steps,
            "check": result.report.to_json(), "journal_key": key_info, "errors": problems,
        })
    else:
        if result.valid:
            print(f"Copie vérifiée : {result.destination} (depuis {result.source})")
            print(f"  {_size_fr(result.size_bytes)} ; {_count_fr(result.patients, 'patient')} ; "
                  f"{_count_fr(result.journal_rows, 'ligne')} de journal ; durée "
                  f"{_seconds_fr(result.duration_s)}")
        _print_checks(result.report)
        for problem in problems:
            print(problem)
        print(key_info["message_fr"])
    return EXIT_INVALID if problems else EXIT_OK


def run_restore(args: argparse.Namespace) -> int:
    """Say every path touched: the previous file is the way back if the copy was wrong."""
    from ins_tui.config import ConfigError
    from ins_tui.store.backup import BackupError, RestoreRefused, restore_database

    try:
        db, key_file = _paths(args)
    except ConfigError as exc:
        return _fail(args, str(exc))
    try:
        result = restore_database(args.source, db, key_path=key_file)
    except RestoreRefused as exc:
        return _fail(args, str(exc), exc.report, key_file)
    except BackupError as exc:
        return _fail(args, str(exc))
    back = (f"Pour revenir en arrière : postes fermés, ins-tui db restore --db {db} "
            f"{result.previous}") if result.previous else None
    if args.json:
        _print_json({
            "action": "restore", "ok": True, "source": str(result.source),
            "database": str(result.database),
            "previous": str(result.previous) if result.previous else None,
            "previous_companions": [str(p) for p in result.previous_companions],
            "previous_unreadable": result.previous_unreadable,
            "patients": result.patients, "journal_rows": result.journal_rows,
            "check": result.report.to_json(), "journal_key": str(key_file),
        })
        return EXIT_OK
    print(f"Copie vérifiée avant restauration : {result.source}")
    if result.previous is None:
        print(f"Aucune base en service à {db} : rien n'a été mis de côté.")
    else:
        how = ("telle quelle (illisible par SQLite)" if result.previous_unreadable
               else "après report de son journal d'écriture (-wal)")
        print(f"Base en service mise de côté {how} : {result.previous}")
        for companion in result.previous_companions:
            print(f"  avec : {companion}")
    print(f"Base restaurée : {result.database} (copie de {result.source}, mode 0600) ; "
          f"{_count_fr(result.patients, 'patient')} ; "
          f"{_count_fr(result.journal_rows, 'ligne')} de journal")
    _print_checks(result.report)
    if back:
        print(back)
    return EXIT_OK


def _key_message(key_file: Path, copy: Path, copied_to: str | None) -> str:
    text = (f"Clé du journal : {key_file} — nécessaire pour vérifier cette copie "
            f"(ins-tui db check --db {copy} --key {key_file}). Gardez-la à part de la copie, "
            "sur un autre support : qui détient les deux peut resceller la base.")
    if copied_to:
        text += (f" Clé copiée à côté de la copie : {copied_to} (0600) ; rangez-la ailleurs "
                 "que la copie.")
    return text


def _print_checks(report: Any) -> None:
    """One line for the whole check when it passed; failures and warnings by name."""
    failed = [i for i in report.items if not i.ok]
    warned = [i for i in report.items if i.ok and i.warning]
    if report.valid:
        line = f"  vérification (comme « ins-tui db check ») : {len(report.items)} contrôles OK"
        print(line + (f", {len(warned)} avertissement(s)" if warned else ""))
    else:
        print(f"  vérification (comme « ins-tui db check ») : {len(failed)} échec(s) sur "
              f"{len(report.items)} contrôles")
    for item in failed + warned:
        mark = "ÉCHEC" if not item.ok else "ATTENTION"
        print(f"  [{mark}] {item.name} : {item.message_fr}")
        for detail in item.details:
            print(f"        - {detail}")


def _fail(args: argparse.Namespace, message: str, report: Any = None,
          key_file: Path | None = None) -> int:
    if args.json:
        payload: dict[str, Any] = {"action": args.db_action, "ok": False, "errors": [message]}
        if report is not None:
            payload["check"] = report.to_json()
        _print_json(payload)
    else:
        print(message)
        if report is not None:
            _print_checks(report)
            if key_file is not None and any("clé" in i.name for i in report.items
                                            if not i.ok):
                print(f"Clé du journal utilisée : {key_file} (une autre : --key FICHIER).")
    return EXIT_INVALID


def _print_json(payload: dict[str, Any]) -> None:
    print(json.dumps(payload, ensure_ascii=False, indent=2))
    sys.stdout.flush()


def _size_fr(size: int) -> str:
    return f"{size / 1_000_000:.1f} Mo".replace(".", ",") + f" ({size} octets)"


def _seconds_fr(seconds: float) -> str:
    return f"{seconds:.2f} s".replace(".", ",")


def _count_fr(n: int | None, word: str) -> str:
    if n is None:
        return f"{word}s : illisible"
    return f"{n} {word}{'s' if n > 1 else ''}"
