"""A label PDF to a CUPS queue (`lp`), or to a private folder when there is no printer.

`lp` is the one interface every CUPS set-up has (local queue, remote server, a cups-pdf
queue in tests); the PDF goes on its standard input, so no file holding an identity is
left in /tmp. The job title is fixed ("ins-tui etiquette"): CUPS shows titles to every
local account (`lpstat -o`) and writes them in its logs, a patient's name must not be there.

When printing fails (no such queue, cupsd down, `lp` missing, timeout) the PDF is saved
instead and the French message says both what failed and where the label is: the
secretary can print it from the folder once the printer is back. Saved files are 0600 in
a 0700 folder (`paths.ensure_private_dir`), written atomically.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ins_tui.label.errors import LabelError
from ins_tui.os_words import os_reason_fr

if TYPE_CHECKING:
    from ins_tui.config import Config

JOB_TITLE = "ins-tui etiquette"
MAX_TIMEOUT = 120.0  # seconds: a worker thread waiting longer would look like a hang
MAX_PDF_BYTES = 8 * 1024 * 1024  # a sheet of 24 labels is ~50 KB
_PRINTER_NAME = re.compile(r"^[A-Za-z0-9_.@][A-Za-z0-9_.@+-]{0,126}$")
_MEDIA = re.compile(r"^[A-Za-z0-9_.,+-]{1,64}$")
_SERVER = re.compile(r"^[A-Za-z0-9_./:\[\]-]{1,255}$")
_JOB = re.compile(r"request id is (\S+)")


@dataclass(frozen=True, slots=True)
class PrintSettings:
    printer: str  # CUPS queue; "" = save only
    folder: Path
    server: str = ""  # lp -h
    media: str = ""  # lp -o media=
    timeout: float = 15.0
    lp: str = "lp"  # the command (a path in tests)


@dataclass(frozen=True, slots=True)
class Delivery:
    """What became of one label: printed (a CUPS job) and/or saved (a path)."""

    ok: bool  # what was asked happened (printed, or saved when no printer is set)
    message_fr: str
    job: str | None = None
    path: Path | None = None


def settings_from_config(config: Config, *, training: bool = False,
                         media_auto: str = "") -> PrintSettings:
    """`[label]` of the configuration; training labels go to the training folder."""
    from ins_tui.config import data_home

    if config.label_folder is not None:
        folder = Path(config.label_folder)
    elif training:
        folder = Path(config.training_dir) / "etiquettes"
    else:
        folder = data_home() / "etiquettes"
    media = config.label_media.strip()
    if media.lower() == "auto":
        media = media_auto
    return PrintSettings(printer=config.label_printer.strip(), folder=folder,
                         server=config.label_cups_server.strip(), media=media,
                         timeout=min(config.label_timeout, MAX_TIMEOUT))


def deliver(pdf: bytes, settings: PrintSettings, *, stem: str) -> Delivery:
    """Print when a printer is set, else save; a failed print is saved, and said."""
    if not settings.printer:
        path = _save_or_raise(pdf, settings.folder, stem, "")
        return Delivery(True, "Aucune imprimante d'étiquettes configurée ([label] printer) : "
                              f"étiquette enregistrée dans {path}.", path=path)
    try:
        job = send_to_cups(pdf, settings)
    except LabelError as exc:
        path = _save_or_raise(pdf, settings.folder, stem, exc.message_fr)
        return Delivery(False, f"{exc.message_fr} L'étiquette est enregistrée dans {path}.",
                        path=path)
    return Delivery(True, f"Étiquette envoyée à l'imprimante « {settings.printer} » "
                          f"(travail {job}).", job=job)


def send_to_cups(pdf: bytes, settings: PrintSettings) -> str:
    """Queue the PDF with `lp`; the CUPS job id, or LabelError saying why in French."""
    printer = settings.printer
    if not _PRINTER_NAME.match(printer):
        raise LabelError(f"Nom d'imprimante « {printer[:40]} » invalide ([label] printer) : "
                         "le nom de la file CUPS, sans espace ni « / » (lpstat -p).")
    if len(pdf) > MAX_PDF_BYTES:
        raise LabelError("Étiquette trop volumineuse pour être imprimée.")
    args = [settings.lp]
    if settings.server:
        if not _SERVER.match(settings.server):
            raise LabelError("Serveur d'impression invalide ([label] cups_server).")
        args += ["-h", settings.server]
    args += ["-d", printer, "-t", JOB_TITLE]
    if settings.media:
        if not _MEDIA.match(settings.media):
            raise LabelError(f"Format de papier « {settings.media[:40]} » invalide "
                             "([label] media).")
        args += ["-o", f"media={settings.media}"]
    args.append("-")  # the PDF comes on standard input
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG"))}
    env["LC_ALL"] = "C"  # lp's messages are read below: the untranslated ones
    try:
        done = subprocess.run(args, input=pdf, capture_output=True, timeout=settings.timeout,
                              env=env, check=False)
    except FileNotFoundError as exc:
        raise LabelError("Commande d'impression « lp » introuvable : installer CUPS (paquet "
                         "Debian cups-client).") from exc
    except subprocess.TimeoutExpired as exc:
        raise LabelError(f"Le service d'impression ne répond pas (plus de "
                         f"{settings.timeout:g} s) : vérifier CUPS et l'imprimante.") from exc
    except OSError as exc:
        raise LabelError(f"Commande d'impression « lp » inutilisable "
                         f"({os_reason_fr(exc)}).") from exc
    out = done.stdout[:4096].decode("utf-8", "replace")
    err = done.stderr[:4096].decode("utf-8", "replace")
    if done.returncode != 0:
        if _scheduler_down(settings, env):  # lp then says "printer does not exist": ask
            raise LabelError(_DOWN_FR)
        raise LabelError(_lp_error_fr(printer, err))
    match = _JOB.search(out)
    return match.group(1) if match else "?"


_DOWN_FR = ("Service d'impression CUPS injoignable (cupsd arrêté ?) : vérifier qu'il tourne "
            "(« systemctl status cups ») ou [label] cups_server.")


def _scheduler_down(settings: PrintSettings, env: dict[str, str]) -> bool:
    """True when `lpstat -r` says the scheduler is not running (lp cannot tell it apart
    from an unknown queue). lpstat sits beside lp; a failed probe proves nothing."""
    lpstat = str(Path(settings.lp).with_name("lpstat")) if os.sep in settings.lp else "lpstat"
    args = [lpstat, *(["-h", settings.server] if settings.server else []), "-r"]
    try:
        done = subprocess.run(args, capture_output=True, timeout=min(settings.timeout, 5.0),
                              env=env, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return b"not running" in done.stdout[:1024]


def _lp_error_fr(printer: str, stderr: str) -> str:
    text = stderr.lower()
    if "does not exist" in text or "not found" in text or "unknown" in text:
        return (f"Imprimante « {printer} » inconnue de CUPS : vérifier [label] printer "
                "(« lpstat -p » donne les noms des files).")
    if "not accepting" in text:
        return (f"L'imprimante « {printer} » refuse les travaux (mise hors service dans "
                f"CUPS) : « cupsaccept {printer} » puis réessayer.")
    if any(word in text for word in ("scheduler", "connect", "connection", "no such file",
                                     "bad file descriptor", "refused")):
        return _DOWN_FR
    first = stderr.strip().splitlines()[0][:200] if stderr.strip() else "sans message"
    return f"Impression refusée par CUPS ({first})."


def save_pdf(pdf: bytes, folder: Path, stem: str) -> Path:
    """Write `<folder>/<stem>.pdf` (or `-2`, `-3`…), 0600, atomically; the folder 0700."""
    from ins_tui.paths import ensure_private_dir, is_app_dir

    ensure_private_dir(folder, tighten=is_app_dir(folder))
    for n in range(1, 1000):
        path = folder / (f"{stem}.pdf" if n == 1 else f"{stem}-{n}.pdf")
        if not path.exists():
            break
    else:
        raise LabelError(f"Trop d'étiquettes du même nom dans {folder}.")
    tmp = folder / f".{path.name}.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(pdf)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return path


def _save_or_raise(pdf: bytes, folder: Path, stem: str, before: str) -> Path:
    try:
        return save_pdf(pdf, folder, stem)
    except OSError as exc:
        why = f"{before} " if before else ""
        raise LabelError(f"{why}Étiquette non enregistrée : le dossier {folder} est "
                         f"inutilisable ({os_reason_fr(exc)}) ; voir [label] folder.") from exc
