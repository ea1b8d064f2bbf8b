"""`ins-tui card`: virtual test cards and a field-diagnostics watcher.

`card insert` plugs a virtual card into the private pcscd's vpcd reader (same
namespace); `card watch` prints PC/SC events and what was read, masked unless
`--show`, so support staff can check a practice's reader without exposing a
patient on screen by default.
"""

from __future__ import annotations

import argparse
import math
import queue
import sys
import time
from typing import TYPE_CHECKING

from ins_tui.cli import EXIT_INVALID, EXIT_OK

if TYPE_CHECKING:
    from ins_tui.card.vitale import VitaleCard

EXIT_UNAVAILABLE = 3
SLOTS = (0, 1)


def _seconds(text: str) -> float:
    """A finite positive duration: `nan` or `inf` would make the wait never end."""
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise argparse.ArgumentTypeError(f"durée en secondes attendue, reçu « {text} »") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"durée positive attendue, reçu « {text} »")
    return value


def _slot(text: str) -> int:
    if text.strip() not in {str(n) for n in SLOTS}:
        raise argparse.ArgumentTypeError(
            f"fente du lecteur virtuel : 0 ou 1 attendu, reçu « {text} »"
        )
    return int(text)


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("card", help="Carte Vitale : cartes de test et diagnostic du lecteur")
    card_sub = parser.add_subparsers(dest="card_command", metavar="ACTION", required=True)

    insert = card_sub.add_parser(
        "insert", help="Insérer une carte de test dans le lecteur virtuel (jusqu'à Ctrl-C)"
    )
    insert.add_argument("--profile", help="nom de la carte (voir « card profiles »)")
    insert.add_argument("--reader", type=_slot, default=0, metavar="0|1",
                        help="fente du lecteur virtuel (0 ou 1)")
    insert.add_argument("--seconds", type=_seconds, default=None,
                        help="retirer la carte après N secondes")
    insert.add_argument("--port", type=int, default=None, help=argparse.SUPPRESS)
    insert.set_defaults(func=run_insert)

    watch = card_sub.add_parser("watch", help="Afficher les événements lecteur et la lecture")
    watch.add_argument("--show", action="store_true",
                       help="afficher noms et NIR en clair (masqués par défaut)")
    watch.add_argument("--raw", action="store_true",
                       help="afficher aussi les octets lus (en clair seulement avec --show)")
    watch.add_argument("--seconds", type=_seconds, default=None, help="s'arrêter après N secondes")
    watch.add_argument("--pcscd", action="store_true",
                       help="démarrer d'abord le pcscd privé (espaces de noms privés seulement)")
    watch.set_defaults(func=run_watch)

    profiles = card_sub.add_parser("profiles", help="Lister les cartes de test")
    profiles.set_defaults(func=run_profiles)


def run_profiles(args: argparse.Namespace) -> int:
    from ins_tui.card.profiles import ProfileError, load_profiles

    try:
        profiles = load_profiles()
    except ProfileError as exc:
        print(exc, file=sys.stderr)
        return EXIT_INVALID
    width = max(len(name) for name in profiles)
    for name, profile in profiles.items():
        print(f"{name:<{width}}  {profile.label}")
    return EXIT_OK


def run_insert(args: argparse.Namespace) -> int:
    from ins_tui.card.profiles import ProfileError, get_profile
    from ins_tui.card.virtual import DEFAULT_PORT, VirtualCard, VirtualCardError

    if not args.profile:
        print("Préciser la carte : --profile NOM (liste : ins-tui card profiles).",
              file=sys.stderr)
        return EXIT_INVALID
    try:
        profile = get_profile(args.profile)
    except ProfileError as exc:
        print(exc, file=sys.stderr)
        return EXIT_INVALID
    port = (args.port or DEFAULT_PORT) + args.reader
    try:
        card = VirtualCard(profile, port=port).start()
    except VirtualCardError as exc:
        print(exc, file=sys.stderr)
        return EXIT_UNAVAILABLE
    print(f"Carte « {profile.label} » insérée (fente {args.reader}). Ctrl-C pour la retirer.",
          flush=True)
    try:
        card.closed.wait(args.seconds)
    except KeyboardInterrupt:
        pass
    finally:
        ended_alone = card.closed.is_set()
        card.close()
    print("La carte a quitté le lecteur." if ended_alone else "Carte retirée.", flush=True)
    return EXIT_OK


def describe_card(card: VitaleCard, show: bool, raw: bool = False) -> list[str]:
    """What support staff need to judge a read; identities masked unless `show`."""
    from ins_tui.domain.dates import format_fr
    from ins_tui.domain.masking import fingerprint, mask_name, mask_nir

    lines = [f"  {len(card.beneficiaries)} bénéficiaire(s) :"]
    for b in card.beneficiaries:
        name = f"{b.birth_name} {b.first_name}" if show else (
            f"{mask_name(b.birth_name)} {mask_name(b.first_name)}")
        nir = (b.nir if show else mask_nir(b.nir)) or "absent"
        born = b.birth_date
        if born.lunar:
            date = f"date lunaire {born.raw} (identité : {format_fr(born.iso) or 'inconnue'})"
        else:
            date = f"né(e) le {format_fr(born.iso) or born.raw}"
        lines.append(f"  {b.index + 1}. {name} — {date} — NIR {nir}")
    if raw:
        lines.append(f"  ATR : {card.raw.atr.hex(' ').upper()}")
        for label, data in (("identité (MF, SFI 2)", card.raw.identity_file),
                            ("NIR (VITALE, SFI 2)", card.raw.nir_file)):
            shown = data.hex(" ").upper() if show else f"empreinte {fingerprint(data)}"
            lines.append(f"  fichier {label}, {len(data)} octets : {shown}")
    return lines


def run_watch(args: argparse.Namespace) -> int:
    from ins_tui.card.errors import CardError
    from ins_tui.card.events import (
        CardInserted,
        CardRemoved,
        ReadersChanged,
        ServiceDown,
        ServiceUp,
    )
    from ins_tui.card.pcscd import PcscdError, PrivatePcscd
    from ins_tui.card.vitale import read_from_reader
    from ins_tui.card.watcher import CardWatcher

    pcscd = None
    if args.pcscd:
        pcscd = PrivatePcscd()
        try:
            pcscd.start()
        except PcscdError as exc:
            print(exc, file=sys.stderr)
            return EXIT_UNAVAILABLE
        print(f"pcscd privé démarré (pid {pcscd.pid}), lecteurs : {', '.join(pcscd.readers)}",
              flush=True)
    events: queue.Queue = queue.Queue()
    watcher = CardWatcher(events.put).start()
    deadline = None if args.seconds is None else time.monotonic() + args.seconds
    try:
        while deadline is None or time.monotonic() < deadline:
            wait = 0.2 if deadline is None else max(0.0, min(0.2, deadline - time.monotonic()))
            try:
                event = events.get(timeout=wait)
            except queue.Empty:
                continue
            if isinstance(event, ServiceUp):
                print("Service PC/SC disponible.", flush=True)
            elif isinstance(event, ServiceDown):
                print(f"Service PC/SC indisponible ({event.reason}).", flush=True)
            elif isinstance(event, ReadersChanged):
                names = ", ".join(f"« {r} »" for r in event.readers) or "aucun"
                print(f"Lecteurs : {names}", flush=True)
            elif isinstance(event, CardRemoved):
                print(f"Carte retirée de « {event.reader} ».", flush=True)
            elif isinstance(event, CardInserted):
                print(f"Carte insérée dans « {event.reader} » (ATR {event.atr_hex}).", flush=True)
                try:
                    card = read_from_reader(event.reader)
                except CardError as exc:
                    print(f"  {exc.message}", flush=True)
                else:
                    print("\n".join(describe_card(card, args.show, args.raw)), flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        watcher.stop()
        if pcscd is not None:
            pcscd.stop()
    return EXIT_OK
