"""`ins-tui demo-data`: fill a database with synthetic patients (training, benchmarks)."""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

from ins_tui.cli import EXIT_INVALID, EXIT_OK

MAX_PATIENTS = 2_000_000


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"nombre entier attendu, reçu « {text} »") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"nombre positif attendu, reçu « {text} »")
    return value


def _plural(count: int, one: str, many: str) -> str:
    """French plural: 0 and 1 take the singular."""
    return f"{count} {one if count <= 1 else many}"


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "demo-data",
        help="Créer des patients fictifs (OID de test) pour la formation et les mesures",
    )
    parser.add_argument("--db", required=True, type=Path, metavar="CHEMIN",
                        help="fichier SQLite (créé s'il n'existe pas)")
    parser.add_argument("--patients", required=True, type=_count, metavar="N",
                        help="nombre de patients à créer")
    parser.add_argument("--seed", type=_count, default=None, metavar="S",
                        help="graine du tirage (mêmes données pour une même graine)")
    parser.add_argument("--visits-today", type=_count, default=0, metavar="K",
                        help="nombre de passages à ajouter à la liste d'attente du jour")
    parser.add_argument("--json", action="store_true", help="sortie JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Refuse impossible counts before opening the file, so bad input writes nothing."""
    from ins_tui.store import Store, StoreError
    from ins_tui.store.demo_data import generate

    if args.patients > MAX_PATIENTS:
        print(f"Trop de patients demandés ({args.patients}) : {MAX_PATIENTS} au plus.")
        return EXIT_INVALID
    if args.visits_today > args.patients:
        print(f"Impossible d'ajouter {args.visits_today} passages pour {args.patients} "
              "patients créés : --visits-today doit être au plus --patients.")
        return EXIT_INVALID
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**31)
    start = time.perf_counter()
    try:
        with Store.open(args.db) as store:
            summary = generate(store, args.patients, seed=seed, visits_today=args.visits_today)
    except StoreError as exc:
        print(exc)
        return EXIT_INVALID
    except OSError as exc:
        print(f"Impossible d'écrire {args.db} : {exc.strerror or exc}.")
        return EXIT_INVALID
    elapsed = time.perf_counter() - start
    if args.json:
        print(json.dumps({"db": str(args.db), "patients": summary.patients,
                          "visits": summary.visits, "seed": summary.seed,
                          "statuses": summary.statuses, "seconds": round(elapsed, 2)},
                         ensure_ascii=False))
    else:
        detail = ", ".join(f"{k} {v}" for k, v in sorted(summary.statuses.items()))
        patients = _plural(summary.patients, "patient fictif créé", "patients fictifs créés")
        visits = _plural(summary.visits, "passage", "passages")
        print(f"{patients} dans {args.db} en {elapsed:.1f} s "
              f"(graine {summary.seed} ; {detail}) ; {visits} aujourd'hui.")
    return EXIT_OK
