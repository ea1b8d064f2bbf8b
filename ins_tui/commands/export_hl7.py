"""`ins-tui export hl7`: send the backlog of identities to an HL7 v2 receiver over MLLP.

`register(actions)` adds the `hl7` sub-action to the `export` command's subparsers
(`commands/export.py` imports this module when it exists). The patients changed since
`--since` (all without it) are queued with reason `backlog` — one item at most per patient
waits, so running the command twice queues nothing twice — then the queue is drained once:
what the receiver refuses is held for a person, what cannot be delivered stays queued and
goes at the next run (or from the desk's sender).

Exit codes: 0 everything acknowledged; 1 some refused (held); 3 some still waiting
(receiver unreachable, no ACK); 2 invalid input (nothing queued, nothing sent).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ins_tui.cli import EXIT_INVALID, EXIT_OK

EXIT_REFUSED = 1
EXIT_PENDING = 3
_EPOCH = datetime(1970, 1, 1)
_CHUNK = 1000  # patients queued per transaction
_BATCH = 500  # items per pass of the sender
_MAX_PASSES = 100_000  # each pass settles at least one item or stops: a bound


def _since(text: str) -> date:
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"date attendue (AAAA-MM-JJ ou JJ/MM/AAAA), reçu « {text} »")


def register(actions: argparse._SubParsersAction) -> None:
    parser = actions.add_parser(
        "hl7", help="Envoyer les identités en HL7 v2 (PAM France) par MLLP")
    parser.add_argument("--db", required=True, type=Path, metavar="CHEMIN",
                        help="fichier SQLite du cabinet")
    parser.add_argument("--to", metavar="HÔTE:PORT",
                        help="destinataire MLLP (par défaut : [hl7] host et port)")
    parser.add_argument("--since", type=_since, metavar="DATE",
                        help="seulement les patients modifiés depuis cette date (incluse)")
    parser.add_argument("--json", action="store_true", help="sortie JSON")
    parser.set_defaults(func=run)


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count <= 1 else many}"


def run(args: argparse.Namespace) -> int:
    """Check everything that can be checked before opening the file: bad input queues
    nothing."""
    from ins_tui.config import ConfigError, load_config
    from ins_tui.hl7.settings import Hl7SettingsError, from_config, parse_target

    try:
        config = load_config()
        settings = from_config(config)
        if args.to:
            settings = settings.to(*parse_target(args.to))
    except (ConfigError, Hl7SettingsError) as exc:
        print(exc, file=sys.stderr)
        return EXIT_INVALID
    if not settings.configured:
        print("Aucun destinataire HL7 : indiquez --to HÔTE:PORT ou [hl7] host dans la "
              "configuration.", file=sys.stderr)
        return EXIT_INVALID
    if not args.db.is_file():
        print(f"Base introuvable : {args.db}", file=sys.stderr)
        return EXIT_INVALID
    return _export(args, settings, config)


def _export(args: argparse.Namespace, settings: Any, config: Any) -> int:
    from ins_tui.desk.outbound import OutboundSender
    from ins_tui.desk.ports import SystemClock
    from ins_tui.hl7.transmitter import TARGET, Hl7Transmitter
    from ins_tui.store import Store, StoreError

    try:
        store = Store.open(args.db, create=False, clock=SystemClock(config.zone()).now,
                           key_path=config.journal_key)
    except StoreError as exc:
        print(exc, file=sys.stderr)
        return EXIT_INVALID
    actor = "export HL7"
    with store:
        since = datetime.combine(args.since, datetime.min.time()) if args.since else _EPOCH
        patients = store.patients_changed_since(since)
        queued = 0
        for start in range(0, len(patients), _CHUNK):
            with store.action(actor, "Envoi HL7 de l'arriéré"):
                for pid in patients[start:start + _CHUNK]:
                    if store.enqueue_output(TARGET, pid, reason="backlog") is not None:
                        queued += 1
        # The desk's own loop: same order per patient, back-off and journal rows.
        sender = OutboundSender(store, [Hl7Transmitter(store, settings, actor=actor)],
                                actor=actor, batch=_BATCH)
        sent = held = 0
        stopped: str | None = None
        refusals: list[tuple[int, str]] = []
        started = time.perf_counter()
        for _ in range(_MAX_PASSES):
            report = sender.tick(everything=True)  # a person asked: pending ones go now
            sent += report.sent.get(TARGET, 0)
            held += report.held.get(TARGET, 0)
            refusals += [(pid, why) for _, pid, why in report.refusals]
            stopped = report.stopped.get(TARGET)
            if stopped or not (report.sent.get(TARGET) or report.held.get(TARGET)):
                break
        seconds = time.perf_counter() - started
        waiting = sum(1 for i in store.pending_outputs(TARGET) if i.state == "pending")
    where = f"{settings.host}:{settings.port}"
    if args.json:
        print(json.dumps({
            "to": where, "patients": len(patients), "queued": queued, "sent": sent,
            "held": held, "pending": waiting, "stopped": stopped,
            "seconds": round(seconds, 3),
            "refusals": [{"patient_id": p, "error": e} for p, e in refusals],
        }, ensure_ascii=False))
    else:
        chosen = _plural(len(patients), "patient retenu", "patients retenus")
        print(f"Envoi HL7 vers {where} : {chosen}, {queued} mis en file.")
        print(f"  {_plural(sent, 'envoyé', 'envoyés')}, {_plural(held, 'refusé', 'refusés')}, "
              f"{waiting} en attente.")
        for pid, error in refusals:
            print(f"  Refus — patient n° {pid} : {error}")
        if stopped:
            print(f"  Envoi interrompu : {stopped}. Les messages restants partiront au "
                  "prochain lancement de la commande (ou depuis l'accueil).")
    if waiting:
        return EXIT_PENDING
    return EXIT_REFUSED if held else EXIT_OK
