"""`ins-tui export fhir`: FR Core Patients to a file (Bundle or NDJSON), or pushed now.

Without `--push` the selected patients are written to `--out` (a collection `Bundle`, or
one resource a line with `--ndjson`), mode 0600 and atomically: a file that holds
identities is never left half written nor readable by others. With `--push` what waits in
the FHIR queue is sent at once (`--since`/`--status` first queue those patients as a
backlog), and a summary says what was sent, refused, and still waits.

Exit codes: 0 done; 1 some identities could not be written (export) or were refused
(push); 3 some still wait (server unreachable); 2 invalid input (nothing written or sent).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ins_tui.cli import EXIT_INVALID, EXIT_OK

EXIT_PARTIAL = 1
EXIT_PENDING = 3
STATUSES = ("PROV", "RECUP", "VALI", "QUAL")
_EPOCH = datetime(1970, 1, 1)
_CHUNK = 1000  # patients queued per transaction
_MAX_PASSES = 100_000  # each pass settles at least one item or stops: a bound, never reached


def _since(text: str) -> date:
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"date attendue (AAAA-MM-JJ ou JJ/MM/AAAA), reçu « {text} »")


def _statuses(text: str) -> frozenset[str]:
    wanted = {part.strip().upper() for part in text.split(",") if part.strip()}
    unknown = sorted(wanted - set(STATUSES))
    if unknown or not wanted:
        raise argparse.ArgumentTypeError(
            f"statut inconnu « {', '.join(unknown) or text} » : PROV, RECUP, VALI ou QUAL "
            "(plusieurs séparés par des virgules)")
    return frozenset(wanted)


def register(actions: argparse._SubParsersAction) -> None:
    parser = actions.add_parser(
        "fhir", help="Patients FHIR FR Core : fichier (Bundle, NDJSON) ou envoi au serveur")
    parser.add_argument("--db", required=True, type=Path, metavar="CHEMIN",
                        help="fichier SQLite du cabinet")
    parser.add_argument("--out", metavar="FICHIER",
                        help="fichier à écrire (« - » : sortie standard)")
    parser.add_argument("--since", type=_since, metavar="DATE",
                        help="seulement les patients modifiés depuis cette date (incluse)")
    parser.add_argument("--status", type=_statuses, metavar="STATUT",
                        help="seulement ces statuts (ex. QUAL, ou VALI,QUAL)")
    parser.add_argument("--ndjson", action="store_true",
                        help="une ressource Patient par ligne au lieu d'un Bundle")
    parser.add_argument("--push", action="store_true",
                        help="envoyer maintenant ce qui attend (serveur de [fhir] base_url)")
    parser.add_argument("--url", metavar="URL",
                        help="avec --push : adresse du serveur FHIR (sinon la configuration)")
    parser.add_argument("--ca", metavar="PEM",
                        help="avec --push : autorités de confiance du serveur")
    parser.add_argument("--json", action="store_true", help="avec --push : résumé en JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Everything that can be checked is checked before the file is opened."""
    from ins_tui.config import ConfigError, load_config

    try:
        config = load_config()
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return EXIT_INVALID
    if not args.db.is_file():
        print(f"Base introuvable : {args.db}", file=sys.stderr)
        return EXIT_INVALID
    if args.push:
        if args.out or args.ndjson:
            print("--push envoie au serveur : --out et --ndjson ne s'y appliquent pas.",
                  file=sys.stderr)
            return EXIT_INVALID
        return _push(args, config)
    if not args.out:
        print("Indiquez le fichier à écrire (--out FICHIER, ou --out - pour l'écran), "
              "ou --push pour envoyer au serveur.", file=sys.stderr)
        return EXIT_INVALID
    if args.out != "-" and not Path(args.out).parent.is_dir():
        print(f"Dossier introuvable pour --out : {Path(args.out).parent}", file=sys.stderr)
        return EXIT_INVALID
    return _export(args, config)


def _open(args: argparse.Namespace, config: Any) -> Any:
    from ins_tui.desk.ports import SystemClock
    from ins_tui.store import Store

    return Store.open(args.db, create=False, clock=SystemClock(config.zone()).now,
                      key_path=config.journal_key)


def _selected(store: Any, args: argparse.Namespace) -> list[int]:
    since = datetime.combine(args.since, datetime.min.time()) if args.since else _EPOCH
    ids = store.patients_changed_since(since)
    if args.status:
        ids = [pid for pid in ids
               if (rec := store.get_patient(pid)) is not None and str(rec.status) in args.status]
    return ids


# -- export to a file ---------------------------------------------------------------------

def _export(args: argparse.Namespace, config: Any) -> int:
    from ins_tui.fhir.bundle import bundle_dict, full_url, json_bytes, ndjson_line
    from ins_tui.fhir.local_id import local_system
    from ins_tui.fhir.patient import FhirBuildError, patient_from_store
    from ins_tui.store import StoreError

    try:
        store = _open(args, config)
    except StoreError as exc:
        print(exc, file=sys.stderr)
        return EXIT_INVALID
    skipped: list[tuple[int, str]] = []
    entries: list[tuple[str, dict[str, Any]]] = []
    with store:
        system = local_system(store, config.fhir_local_system)
        for pid in _selected(store, args):
            try:
                entries.append((full_url(system, pid),
                                patient_from_store(store, pid, local_system=system)))
            except FhirBuildError as exc:
                skipped.append((pid, exc.message_fr))
        now = store.now()
    if args.ndjson:
        data = b"".join(ndjson_line(resource) for _, resource in entries)
    else:
        data = json_bytes(bundle_dict(entries, timestamp=now)) + b"\n"
    _write(args.out, data)
    for pid, why in skipped:
        print(f"Patient n° {pid} non exporté : {why}", file=sys.stderr)
    where = "la sortie standard" if args.out == "-" else args.out
    what = "NDJSON" if args.ndjson else "Bundle"
    print(f"{len(entries)} patient(s) exporté(s) ({what} FHIR R4, FR Core) vers {where}.",
          file=sys.stderr)
    return EXIT_PARTIAL if skipped else EXIT_OK


def _write(out: str, data: bytes) -> None:
    """Atomically and 0600: a reader sees the old file or the whole new one."""
    if out == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    path = Path(out)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# -- push now -----------------------------------------------------------------------------

def _push(args: argparse.Namespace, config: Any) -> int:
    import dataclasses

    from ins_tui.desk.outbound import OutboundSender
    from ins_tui.fhir.push import FhirConfigError
    from ins_tui.fhir.settings import settings_from_config
    from ins_tui.fhir.transmitter import TARGET, FhirTransmitter
    from ins_tui.store import StoreError

    if args.url:
        config = dataclasses.replace(config, fhir_base_url=args.url)
    if args.ca:
        config = dataclasses.replace(config, fhir_ca_bundle=args.ca)
    settings = settings_from_config(config)
    if settings is None:
        print("Aucun serveur FHIR : indiquez --url ou [fhir] base_url dans la configuration.",
              file=sys.stderr)
        return EXIT_INVALID
    try:
        store = _open(args, config)
    except StoreError as exc:
        print(exc, file=sys.stderr)
        return EXIT_INVALID
    actor = "export FHIR"
    with store:
        try:
            transmitter = FhirTransmitter(store, settings, actor=actor)
        except FhirConfigError as exc:
            print(exc.message_fr, file=sys.stderr)
            return EXIT_INVALID
        queued = _queue_backlog(store, args, actor, TARGET)
        sender = OutboundSender(store, [transmitter], actor=actor)
        sent = held = 0
        stopped: str | None = None
        refusals: list[tuple[int, str]] = []
        for _ in range(_MAX_PASSES):
            report = sender.tick(everything=True)
            sent += report.sent.get(TARGET, 0)
            held += report.held.get(TARGET, 0)
            refusals += [(pid, why) for _, pid, why in report.refusals]
            stopped = report.stopped.get(TARGET)
            if stopped or not (report.sent.get(TARGET) or report.held.get(TARGET)):
                break
        waiting = sum(1 for i in store.pending_outputs(TARGET) if i.state == "pending")
    _summary(args, settings.base_url, queued, sent, held, waiting, stopped, refusals)
    if waiting:
        return EXIT_PENDING
    return EXIT_PARTIAL if held else EXIT_OK


def _queue_backlog(store: Any, args: argparse.Namespace, actor: str, target: str) -> int:
    if not (args.since or args.status):
        return 0
    patients = _selected(store, args)
    queued = 0
    for start in range(0, len(patients), _CHUNK):
        with store.action(actor, "Envoi FHIR de l'arriéré"):
            for pid in patients[start:start + _CHUNK]:
                if store.enqueue_output(target, pid, reason="backlog") is not None:
                    queued += 1
    return queued


def _summary(args: argparse.Namespace, url: str, queued: int, sent: int, held: int,
             waiting: int, stopped: str | None, refusals: list[tuple[int, str]]) -> None:
    if args.json:
        print(json.dumps({"to": url, "queued": queued, "sent": sent, "held": held,
                          "pending": waiting, "stopped": stopped,
                          "refusals": [{"patient_id": p, "error": e} for p, e in refusals]},
                         ensure_ascii=False))
        return
    print(f"Envoi FHIR vers {url} : {queued} mis en file, {sent} transmis, {held} refusé(s), "
          f"{waiting} en attente.")
    for pid, why in refusals:
        print(f"  Refus — patient n° {pid} : {why}")
    if stopped:
        print(f"  Envoi interrompu : {stopped}. Le reste partira au prochain lancement de la "
              "commande (ou depuis l'accueil).")
