"""`ins-tui insi simulator`: the INSi simulator in the foreground, until Ctrl+C.

Its options are the simulator's knobs; each is bounded here (port, fault rate, latency)
and every way the start can fail (unknown CNDA variant, unusable certificates, unreadable
`--cpx-ca`, busy port) ends in one French line and a stable exit code instead of a
traceback.
"""

from __future__ import annotations

import argparse
import sys

from ins_tui.cli import EXIT_INVALID
from ins_tui.commands.insi_outcome import EXIT_SERVICE


def register(insi_sub: argparse._SubParsersAction) -> None:
    sim = insi_sub.add_parser("simulator", help="Lancer le simulateur INSi (HTTPS, TLS mutuel)")
    sim.add_argument("--port", type=int, default=0, help="port d'écoute (0 : port libre)")
    sim.add_argument("--latency", type=float, default=0.0, help="délai ajouté par réponse (s)")
    sim.add_argument("--fault-rate", type=float, default=0.0,
                     help="part des requêtes en erreur desir_1020 (0 à 1)")
    sim.add_argument("--qualification", action="store_true",
                     help="comme le serveur de qualification : insi_102 au lieu du CR 01")
    sim.add_argument("--variant", action="append", default=[],
                     help="rejouer un cas CNDA (ex. '2.04 cas 2', '1.10')")
    sim.add_argument("--seed", type=int, help="graine du tirage des erreurs")
    sim.add_argument("--dir", help="dossier des certificats (défaut : dossier de formation)")
    sim.add_argument("--cpx", action="store_true",
                     help="mode CPx : TLS serveur seul, assertion PS signée exigée")
    sim.add_argument("--cpx-ca",
                     help="autorités (PEM) des cartes acceptées en mode CPx "
                     "(défaut : l'autorité du simulateur)")
    sim.set_defaults(func=run_simulator_command)


def run_simulator_command(args: argparse.Namespace) -> int:
    import errno
    import ssl
    from pathlib import Path

    from ins_tui.insi.simulator import SimulatorServer, run_simulator

    # `not x <= y` rather than `x > y`: a NaN fails every comparison and must be refused.
    refusals = [
        message for bad, message in (
            (not 0 <= args.port <= 65535, f"--port {args.port} : entre 0 et 65535 attendu "
             "(0 : un port libre)."),
            (not 0.0 <= args.fault_rate <= 1.0, "--fault-rate doit être compris entre 0 et 1."),
            (not 0.0 <= args.latency <= 3600.0,
             "--latency doit être compris entre 0 et 3600 secondes."),
        ) if bad
    ]
    if refusals:
        for message in refusals:
            print(message, file=sys.stderr)
        return EXIT_INVALID
    try:
        server = SimulatorServer(
            Path(args.dir) if args.dir else None,
            port=args.port,
            latency=args.latency,
            fault_rate=args.fault_rate,
            qualification=args.qualification,
            seed=args.seed,
            variants=tuple(args.variant),
            require_client_cert=not args.cpx,
            cpx_trusted_ca=Path(args.cpx_ca) if args.cpx_ca else None,
        )
    except ValueError as exc:  # unknown CNDA variant: the message is French
        print(str(exc), file=sys.stderr)
        return EXIT_INVALID
    try:
        return run_simulator(server)
    except ssl.SSLError:
        print(f"Certificats du simulateur inutilisables dans {server.directory} : supprimez "
              "ce dossier pour qu'ils soient recréés.", file=sys.stderr)
        return EXIT_SERVICE
    except ValueError:  # cryptography could not read the --cpx-ca file
        source = args.cpx_ca or server.directory / "ca.pem"
        print(f"Autorités des cartes CPx : aucun certificat PEM lisible dans {source}.",
              file=sys.stderr)
        return EXIT_INVALID
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            reason = f"le port {args.port} est déjà utilisé"
        else:
            reason = f"{exc.strerror or exc} ({exc.filename or 'réseau'})"
        print(f"Impossible de lancer le simulateur : {reason}.", file=sys.stderr)
        return EXIT_SERVICE
