"""`ins-tui label`: one patient's label as a PDF file, and/or sent to the label printer.

`--out` writes the PDF (mode 0600, atomically); `--print` sends it to `[label] printer`
through CUPS (a failed print keeps the PDF: in `--out` when given, else in the label
folder). The datamatrix is drawn for qualified identities only; the others get a label
that says why.

Exit codes: 0 done; 1 the print failed (the PDF is kept, the message says where); 2 invalid
input (unknown patient, unknown size, nothing asked), nothing written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ins_tui.cli import EXIT_INVALID, EXIT_OK

if TYPE_CHECKING:
    from ins_tui.config import Config

EXIT_PRINT_FAILED = 1


def register(sub: argparse._SubParsersAction) -> None:
    from ins_tui.label.sizes import SIZES

    parser = sub.add_parser(
        "label", help="Étiquette patient (traits, datamatrix INS) : PDF ou imprimante")
    parser.add_argument("--db", required=True, type=Path, metavar="CHEMIN",
                        help="fichier SQLite du cabinet")
    parser.add_argument("--patient", required=True, type=int, metavar="N",
                        help="numéro du patient")
    parser.add_argument("--out", type=Path, metavar="FICHIER", help="PDF à écrire")
    parser.add_argument("--size", choices=sorted(SIZES), metavar="FORMAT",
                        help="format d'étiquette : " + ", ".join(SIZES)
                        + " (sinon [label] size)")
    parser.add_argument("--print", dest="send", action="store_true",
                        help="envoyer à l'imprimante de [label] printer (CUPS)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ins_tui.config import ConfigError, load_config

    try:
        config = load_config()
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return EXIT_INVALID
    if not args.out and not args.send:
        print("Indiquez --out FICHIER (PDF) et/ou --print (imprimante de [label] printer).",
              file=sys.stderr)
        return EXIT_INVALID
    if args.send and not config.label_printer.strip():
        print("Aucune imprimante d'étiquettes configurée : indiquez [label] printer dans la "
              "configuration, ou utilisez --out.", file=sys.stderr)
        return EXIT_INVALID
    if args.out and not args.out.parent.is_dir():
        print(f"Dossier introuvable pour --out : {args.out.parent}", file=sys.stderr)
        return EXIT_INVALID
    if not args.db.is_file():
        print(f"Base introuvable : {args.db}", file=sys.stderr)
        return EXIT_INVALID
    return _label(args, config)


def _label(args: argparse.Namespace, config: Config) -> int:
    from ins_tui.desk.labels import render_patient_label
    from ins_tui.desk.ports import SystemClock
    from ins_tui.label.errors import LabelError
    from ins_tui.store import Store, StoreError

    try:
        store = Store.open(args.db, create=False, clock=SystemClock(config.zone()).now,
                           key_path=config.journal_key)
    except StoreError as exc:
        print(exc, file=sys.stderr)
        return EXIT_INVALID
    with store:
        record = store.get_patient(args.patient)
        if record is None:
            print(f"Patient introuvable (n° {args.patient}) : aucune étiquette produite.",
                  file=sys.stderr)
            return EXIT_INVALID
        try:
            rendered = render_patient_label(record, config, size_name=args.size)
        except LabelError as exc:
            print(exc.message_fr, file=sys.stderr)
            return EXIT_INVALID
        if rendered.symbol is None:
            print(f"Sans datamatrix INS : {rendered.reason_fr}", file=sys.stderr)
        if args.out:
            try:
                _write(args.out, rendered.pdf)
            except OSError as exc:
                from ins_tui.os_words import os_reason_fr

                print(f"Étiquette non écrite dans {args.out} ({os_reason_fr(exc)}).",
                      file=sys.stderr)
                return EXIT_INVALID
            print(f"Étiquette ({rendered.size.description_fr}) écrite dans {args.out}.",
                  file=sys.stderr)
        if not args.send:
            _journal(store, args, rendered, None, args.out)
            return EXIT_OK
        return _send(store, args, config, rendered)


def _send(store: Any, args: argparse.Namespace, config: Config, rendered: Any) -> int:
    """`--print`: a failed print keeps the PDF (in --out, else the label folder), journaled."""
    from ins_tui.label.errors import LabelError
    from ins_tui.label.printing import save_pdf, send_to_cups, settings_from_config

    settings = settings_from_config(config, media_auto=rendered.size.media)
    try:
        job = send_to_cups(rendered.pdf, settings)
    except LabelError as exc:
        where = args.out
        if where is None:
            try:
                where = save_pdf(rendered.pdf, settings.folder,
                                 f"etiquette-patient-{args.patient}")
            except OSError as err:
                from ins_tui.os_words import os_reason_fr

                print(f"{exc.message_fr} Étiquette non enregistrée non plus : le dossier "
                      f"{settings.folder} est inutilisable ({os_reason_fr(err)}) ; voir "
                      "[label] folder.", file=sys.stderr)
                return EXIT_PRINT_FAILED
        _journal(store, args, rendered, None, where)
        print(f"{exc.message_fr} L'étiquette est enregistrée dans {where}.", file=sys.stderr)
        return EXIT_PRINT_FAILED
    _journal(store, args, rendered, settings.printer, args.out)
    print(f"Étiquette envoyée à l'imprimante « {settings.printer} » (travail {job}).",
          file=sys.stderr)
    return EXIT_OK


def _journal(store: Any, args: argparse.Namespace, rendered: Any, printer: str | None,
             path: Path | None) -> None:
    """A label left the software (printed or as a file): the journal says so, as the app's."""
    import contextlib

    from ins_tui.desk.labels import journal_label

    journal_label(store, contextlib.nullcontext(), args.patient, _user(), rendered.size.name,
                  rendered.symbol is not None, printer, path)


def _user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "ins-tui"


def _write(path: Path, data: bytes) -> None:
    """Atomically and 0600: a label holds an identity."""
    import os

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
