"""`ins-tui db merge` and `ins-tui db unmerge`: the duplicate merge for the back office.

Registered by `commands/db.py` under `db`. The work is the desk's (`desk/merge.py`, the
rule in `domain/merge.py`, the transaction in `store/merge.py`); this module prints in
French what was judged and what moved, because the person running it must see the same
thing the merge screen shows. Exit 0 done (or `--dry-run` allowed), 2 refused or invalid.
`--dry-run` opens the file, judges and lists, and writes nothing.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ins_tui.cli import EXIT_INVALID, EXIT_OK


def register(actions: argparse._SubParsersAction) -> None:
    merge = actions.add_parser(
        "merge", help="Fusionner deux dossiers du même patient (DROP dans KEEP)")
    merge.add_argument("--db", required=True, type=Path, metavar="CHEMIN",
                       help="fichier SQLite de la base")
    merge.add_argument("keep", type=int, metavar="KEEP", help="n° du dossier conservé")
    merge.add_argument("drop", type=int, metavar="DROP", help="n° du dossier fusionné")
    merge.add_argument("--dry-run", action="store_true",
                       help="montrer ce qui serait déplacé, sans rien écrire")
    merge.add_argument("--reason", metavar="TEXTE",
                       help="motif de dérogation (identité douteuse ou fictive), journalisé")
    merge.add_argument("--key", type=Path, metavar="FICHIER",
                       help="clé du journal (par défaut : journal.key de la configuration)")
    merge.set_defaults(func=run_merge)
    unmerge = actions.add_parser(
        "unmerge", help="Annuler une fusion (le dossier fusionné est rétabli)")
    unmerge.add_argument("--db", required=True, type=Path, metavar="CHEMIN",
                         help="fichier SQLite de la base")
    unmerge.add_argument("merge_id", type=int, metavar="MERGE_ID",
                         help="n° de la fusion (donné par « db merge » et le journal)")
    unmerge.add_argument("--key", type=Path, metavar="FICHIER",
                         help="clé du journal (par défaut : journal.key de la configuration)")
    unmerge.set_defaults(func=run_unmerge)


def _open(args: argparse.Namespace) -> Any:
    """The desk on the file (never created here), queuing for the configured outputs."""
    from ins_tui.desk.desk import Desk
    from ins_tui.store.store import Store

    store = Store.open(args.db, create=False, key_path=args.key)
    store.set_output_targets(_targets())
    return Desk(store, None)


def _targets() -> frozenset[str]:
    """The targets the desks queue for: a merge done here must reach them too (A40)."""
    try:
        from ins_tui.config import load_config
        from ins_tui.desk.outbound import transmitters_from_config

        found = transmitters_from_config(None, load_config())
    except Exception as exc:  # no or broken configuration: nothing is configured to send
        print(f"Attention : configuration des envois illisible ({type(exc).__name__}) : "
              "fusion non mise en file d'envoi.")
        return frozenset()
    return frozenset(t.target for t in found)


def _side_line(label: str, side: Any) -> str:
    t = side.traits
    ins = " · INS" if side.ins_matricule else ""
    attrs = f" · {', '.join(sorted(str(a) for a in side.attributes))}" if side.attributes \
        else ""
    return (f"  {label} : dossier n° {side.id} ({side.status}{ins}{attrs}), "
            f"créé le {side.created_at[:10]} — {t.birth_name} {t.first_first_name or ''}")


def print_preview(preview: Any) -> None:
    print(_side_line("Conservé", preview.kept))
    print(_side_line("Fusionné", preview.dropped))
    if preview.default_kept_id != preview.kept.id:
        print(f"  (survivant proposé par défaut : dossier n° {preview.default_kept_id})")
    differing = preview.differing
    if differing:
        print("  Traits différents :")
        for diff in differing:
            print(f"    ≠ {diff.label_fr} : {diff.kept or '—'} / {diff.dropped or '—'}")
    else:
        print("  Traits identiques.")
    print(f"  À déplacer : {preview.visits} passage(s) ; relances INSi à clore : "
          f"{preview.insi_retries}.")


def run_merge(args: argparse.Namespace) -> int:
    from ins_tui.desk.base import DeskError
    from ins_tui.store.errors import StoreError

    try:
        desk = _open(args)
    except StoreError as exc:
        print(f"Fusion impossible : {exc}")
        return EXIT_INVALID
    try:
        try:
            preview = desk.merge_preview(args.keep, args.drop, kept_id=args.keep,
                                         override_reason=args.reason)
        except DeskError as exc:
            print(f"Fusion impossible : {exc.message_fr}")
            return EXIT_INVALID
        print(f"Fusion du dossier n° {args.drop} dans le dossier n° {args.keep} :")
        print_preview(preview)
        if not preview.allowed:
            print(f"Fusion refusée : {preview.decision.message_fr}")
            if preview.decision.needs_override:
                print("  Pour passer outre : --reason \"motif\" (inscrit au journal).")
            return EXIT_INVALID
        if args.dry_run:
            print(f"Simulation (--dry-run) : {preview.decision.message_fr} Rien n'a été écrit.")
            return EXIT_OK
        outcome = desk.merge(args.keep, args.drop, override_reason=args.reason)
        if not outcome.ok:
            print(f"Fusion refusée : {outcome.message_fr}")
            return EXIT_INVALID
        print(f"Fusion n° {outcome.merge_id} faite. {outcome.message_fr}")
        print(f"Pour l'annuler : ins-tui db unmerge --db {args.db} {outcome.merge_id}")
        return EXIT_OK
    finally:
        desk.store.close()


def run_unmerge(args: argparse.Namespace) -> int:
    from ins_tui.store.errors import StoreError

    try:
        desk = _open(args)
    except StoreError as exc:
        print(f"Annulation impossible : {exc}")
        return EXIT_INVALID
    try:
        outcome = desk.unmerge(args.merge_id)
        print(outcome.message_fr if outcome.ok else f"Annulation refusée : {outcome.message_fr}")
        return EXIT_OK if outcome.ok else EXIT_INVALID
    finally:
        desk.store.close()
