"""`ins-tui insi`: one INSi traits search from the command line, and the simulator.

`search` sends the traits exactly as typed: it judges them with the same rules
as the app (domain/names.py) and refuses, naming the character and the form
that would be accepted, rather than silently fixing them — what goes to INSi
must be what the operator saw. Exit codes are stable for scripts (docs/cli-insi.md).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ins_tui.insi.outcomes import InsiOutcome

from ins_tui.cli import EXIT_INVALID
from ins_tui.cli import EXIT_OK as EXIT_FOUND

EXIT_NOT_FOUND = 1
EXIT_SERVICE = 3


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("insi", help="Téléservice INSi : recherche d'INS, simulateur")
    insi_sub = parser.add_subparsers(dest="insi_command", metavar="SOUS-COMMANDE", required=True)

    search = insi_sub.add_parser(
        "search", help="Rechercher un INS par les traits d'identité (envoyés tels quels)"
    )
    search.add_argument("--birth-name", required=True, help="nom de naissance (ex. ADRUN)")
    search.add_argument("--first-names", required=True,
                        help="prénoms de naissance séparés par une espace (ex. 'OLA CATARINA')")
    search.add_argument("--sex", required=True, help="F ou M")
    search.add_argument("--birth-date", required=True, help="date de naissance AAAA-MM-JJ")
    search.add_argument("--birthplace", help="code COG du lieu de naissance (5 caractères)")
    search.add_argument("--endpoint", help="adresse du service (sinon celle de la configuration)")
    search.add_argument("--ca", help="autorités de confiance du serveur (PEM)")
    search.add_argument("--p12", help="certificat de la structure (PKCS#12)")
    search.add_argument("--training", action="store_true",
                        help="interroger le simulateur de formation (lancé pour l'occasion)")
    cpx = search.add_argument_group(
        "mode CPx (carte CPS ; PIN : variable INS_TUI_CPS_PIN ou saisie)")
    cpx.add_argument("--cpx", action="store_true",
                     help="s'authentifier par la carte CPS (assertion signée) au lieu du "
                     "certificat de la structure (sinon : insi_mode de la configuration)")
    cpx.add_argument("--pkcs11-module", help="module PKCS#11 du lecteur de carte CPS")
    cpx.add_argument("--token-label", help="libellé de la carte (jeton PKCS#11)")
    cpx.add_argument("--key-label", help="libellé de la clé de signature (défaut : automatique)")
    cpx.add_argument("--signing-p12",
                     help="certificat de signature PKCS#12 au lieu d'une carte (tests)")
    cpx.add_argument("--billing-id", help="identifiant de facturation (FINESS, SIRET ou n° AM)")
    cpx.add_argument("--activity-sector", help="secteur d'activité (ex. SA07)")
    cpx.add_argument("--specialty-code", help="code spécialité (obligatoire pour un médecin)")
    search.add_argument("--json", action="store_true",
                        help="sortie JSON (schéma : docs/cli-insi.md)")
    search.set_defaults(func=run_search)

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


# -- search ------------------------------------------------------------------------------


def _problem_dict(p) -> dict:
    return {"field": p.field, "code": p.code, "message": p.message}


def run_search(args: argparse.Namespace) -> int:
    from ins_tui.domain.model import Sex, Traits
    from ins_tui.domain.problems import error
    from ins_tui.insi.client import check_request_traits

    sex = args.sex if args.sex in ("F", "M") else None
    traits = Traits(birth_name=args.birth_name, first_names=args.first_names,
                    sex=Sex(sex) if sex else None, birth_date=args.birth_date,
                    birthplace=args.birthplace)
    problems = check_request_traits(traits, args.birthplace)
    if sex is None:
        problems = [p for p in problems if p.field != "sex"]
        problems.append(error("sex", "sex.value",
                              f"Sexe « {args.sex} » : F ou M attendu (en majuscule)."))
    if problems:
        return _invalid(args, [_problem_dict(p) for p in problems])
    try:
        with _client(args) as (client, cleanup):
            try:
                outcome = client.search_traits(traits, birthplace=args.birthplace)
            finally:
                cleanup()
    except _SetupError as exc:
        return _invalid(args, [{"field": exc.field, "code": "setup", "message": str(exc)}])
    return _report(args, outcome)


class _SetupError(Exception):
    def __init__(self, field: str, message_fr: str) -> None:
        super().__init__(message_fr)
        self.field = field


class _client:
    """Context manager yielding (InsiClient, cleanup) for the chosen target."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.sim = None
        self.client = None
        self.signer = None

    def __enter__(self):
        from dataclasses import replace

        from ins_tui.config import ConfigError, load_config
        from ins_tui.insi.client import InsiClient
        from ins_tui.insi.settings import (
            cpx_settings_from_config,
            password_from_env_or_prompt,
            settings_from_config,
        )
        from ins_tui.insi.signer import SignerError

        try:
            config = load_config()
        except ConfigError as exc:
            raise _SetupError("config", str(exc)) from exc
        # Timeouts and bounds from the configuration, for every target (the training
        # simulator's client settings would otherwise keep the built-in defaults).
        timeouts = {"connect_timeout": config.insi_connect_timeout,
                    "read_timeout": config.insi_read_timeout,
                    "max_answer_bytes": config.insi_max_answer_bytes,
                    "deadline": config.insi_deadline,
                    "search_deadline": config.insi_search_deadline}
        args = self.args
        # --training always means the bundled (mTLS) simulator, whatever insi_mode says.
        use_cpx = args.cpx or (config.insi_mode == "cpx" and not args.training)
        if args.training and use_cpx:
            raise _SetupError(
                "cpx",
                "--training lance le simulateur en TLS mutuel : pour essayer le mode CPx, "
                "lancez « ins-tui insi simulator --cpx --cpx-ca … » et indiquez --endpoint.",
            )
        if use_cpx:
            endpoint = args.endpoint or config.insi_endpoint
            if not endpoint:
                raise _SetupError(
                    "endpoint",
                    "Aucun serveur INSi configuré : indiquez --endpoint et --ca (mode CPx).",
                )
            try:
                cpx = cpx_settings_from_config(
                    config, pkcs11_module=args.pkcs11_module, token_label=args.token_label,
                    key_label=args.key_label, signing_p12=args.signing_p12,
                    billing_id=args.billing_id, activity_sector=args.activity_sector,
                    specialty_code=args.specialty_code)
            except SignerError as exc:
                raise _SetupError("cpx", exc.message_fr) from None
            self.signer = cpx.signer
            settings = settings_from_config(config, endpoint=endpoint, ca_bundle=args.ca,
                                            cpx=cpx)
            settings = replace(settings, **timeouts)
        elif self.args.training:
            from ins_tui.insi.simulator import SimulatorServer

            self.sim = SimulatorServer(config.training_dir / "insi").start()
            settings = self.sim.client_settings(
                **timeouts, bad_active_key=config.insi_bad_active_key)
        else:
            endpoint = self.args.endpoint or config.insi_endpoint
            p12 = self.args.p12 or config.insi_p12
            if not endpoint or not p12:
                raise _SetupError(
                    "endpoint",
                    "Aucun serveur INSi configuré : indiquez --endpoint, --ca et --p12, "
                    "ou utilisez --training pour le simulateur de formation.",
                )
            password = password_from_env_or_prompt()
            if password is None:
                raise _SetupError(
                    "p12",
                    "Mot de passe du certificat absent : définissez INS_TUI_P12_PASSWORD "
                    "ou lancez la commande dans un terminal pour le saisir.",
                )
            settings = settings_from_config(config, endpoint=endpoint, ca_bundle=self.args.ca,
                                            p12=p12, password=password)
            settings = replace(settings, **timeouts)
        self.client = InsiClient(settings)
        return self.client, self._cleanup

    def _cleanup(self) -> None:
        if self.client is not None:
            self.client.close()
        close_signer = getattr(self.signer, "close", None)
        if close_signer is not None:
            close_signer()  # logs the card out (PKCS#11)
            self.signer = None
        if self.sim is not None:
            self.sim.stop()
            self.sim = None

    def __exit__(self, *_exc: object) -> None:
        self._cleanup()


def _invalid(args: argparse.Namespace, problems: list[dict]) -> int:
    if args.json:
        _print_json({"outcome": "invalid", "exit_code": EXIT_INVALID,
                     "message": "Saisie refusée : rien n'a été envoyé à l'INSi.",
                     "error_kind": "saisie_invalide", "problems": problems, "identity": None,
                     "warnings": [], "fault": None, "attempts": []})
    else:
        print("Saisie refusée, rien n'a été envoyé à l'INSi :", file=sys.stderr)
        for p in problems:
            print(f"  - {p['message']}", file=sys.stderr)
    return EXIT_INVALID


def outcome_to_dict(outcome: InsiOutcome) -> dict:
    """The `--json` document (schema in docs/cli-insi.md)."""
    from ins_tui.insi.outcomes import ErrorKind, Found, InsiError, NotFound

    def ins(i, start=None, end=None) -> dict:
        d = {"number": i.number, "key": i.key, "matricule": i.matricule, "oid": i.oid,
             "key_ok": i.key_ok}
        if start is not None or end is not None:
            d.update({"date_start": start, "date_end": end})
        return d

    def text(data: bytes | None) -> str | None:
        return None if data is None else data.decode("utf-8", errors="replace")

    doc: dict = {"outcome": "", "exit_code": 0, "message": "", "error_kind": None,
                 "problems": [], "identity": None, "warnings": [], "fault": None,
                 "attempts": []}
    def identity(ident, derived: bool | None) -> dict:
        t = ident.traits
        return {
            "ins": ins(ident.ins),
            "history": [ins(h.ins, h.date_start, h.date_end) for h in ident.history],
            "traits": {"birth_name": t.birth_name, "first_names": t.first_names,
                       "first_name": t.first_name, "first_name_derived": derived,
                       "sex": str(t.sex) if t.sex else None, "birth_date": t.birth_date,
                       "birthplace": t.birthplace},
        }

    if isinstance(outcome, Found):
        doc.update(outcome="found", exit_code=EXIT_FOUND, message="INS trouvé.",
                   warnings=list(outcome.warnings))
        doc["identity"] = identity(outcome.identity, outcome.first_name_derived)
    elif isinstance(outcome, NotFound):
        doc.update(outcome="not_found", exit_code=EXIT_NOT_FOUND,
                   message="Aucune identité trouvée (CR 01) : vérifiez les traits ou "
                   "ajoutez des critères.")
    elif isinstance(outcome, InsiError):
        invalid = outcome.kind is ErrorKind.INVALID_INPUT
        # Nothing left the machine because of what was given (endpoint, CA, PKCS#12,
        # password): like bad traits, retrying as is cannot help, so it is exit 2 too.
        local = not outcome.attempts and outcome.kind in (
            ErrorKind.CONFIGURATION, ErrorKind.CERTIFICATE)
        doc.update(outcome="invalid" if invalid else "error",
                   exit_code=EXIT_INVALID if invalid or local else EXIT_SERVICE,
                   message=outcome.message_fr + (RUN_AGAIN if outcome.retryable else ""),
                   error_kind=str(outcome.kind),
                   problems=[_problem_dict(p) for p in outcome.problems])
        if outcome.kind is ErrorKind.INCOHERENT and outcome.identity is not None:
            # What INSi said, shown so the operator can report it; nothing was kept. The
            # problems are the masked rules (the message already lists them).
            from ins_tui.domain.identity_check import rule_fr

            doc["identity"] = identity(outcome.identity, None)
            doc["problems"] = [{"field": p.field, "code": p.code, "message": rule_fr(p.code)}
                               for p in outcome.problems if p.is_error]
            doc["warnings"] = [p.message for p in outcome.problems if not p.is_error]
        if outcome.fault:
            f = outcome.fault
            doc["fault"] = {"code": f.code, "subcode": f.subcode, "reason": f.reason,
                            "detail_code": f.detail_code, "severity": f.severity,
                            "text": f.detail_text}
    else:
        doc.update(outcome="several_found", exit_code=EXIT_NOT_FOUND,
                   message="Plusieurs identités trouvées (CR 02) : ajoutez le lieu de "
                   "naissance ou les autres prénoms.")
    doc["attempts"] = [
        {"operation": a.operation, "first_name": a.first_name, "birthplace": a.birthplace,
         "message_id": a.message_id, "http_status": a.http_status, "cr": a.cr,
         "fault_code": a.fault.detail_code if a.fault else None, "error": a.error,
         "elapsed_ms": round(a.elapsed_s * 1000, 1), "request": text(a.request),
         "response": text(a.response)}
        for a in outcome.attempts
    ]
    return doc


# The app queues a failed search itself; from the command line the operator is the queue.
RUN_AGAIN = " Relancez la commande dans quelques minutes."


def _print_json(doc: dict) -> None:
    json.dump(doc, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _report(args: argparse.Namespace, outcome: InsiOutcome) -> int:
    doc = outcome_to_dict(outcome)
    if args.json:
        _print_json(doc)
        return doc["exit_code"]
    stream = sys.stdout if doc["exit_code"] in (EXIT_FOUND, EXIT_NOT_FOUND) else sys.stderr
    print(doc["message"], file=stream)
    ident = doc["identity"]
    incoherent = doc["error_kind"] == "reponse_incoherente"
    if ident:
        t = {k: _shown(v) for k, v in ident["traits"].items()}
        if incoherent:
            print("  Réponse reçue (non retenue) :", file=stream)
        print(f"  INS : {ident['ins']['matricule']}  OID {_shown(ident['ins']['oid'])}",
              file=stream)
        print(f"  Nom de naissance : {t['birth_name']}", file=stream)
        print(f"  Prénoms : {t['first_names']}  (premier : {t['first_name']})", file=stream)
        print(f"  Sexe : {t['sex']}  Né(e) le : {t['birth_date']}  Lieu : {t['birthplace']}",
              file=stream)
        for h in ident["history"]:
            print(f"  Historique : {h['matricule']} OID {_shown(h['oid'])} "
                  f"du {h.get('date_start') or '?'} au {h.get('date_end') or '?'}", file=stream)
        for w in doc["warnings"]:
            print(f"  Attention : {w}", file=stream)
    for p in [] if incoherent else doc["problems"]:
        print(f"  - {p['message']}", file=stream)
    print(f"  ({len(doc['attempts'])} requête(s) envoyée(s))", file=stream)
    return doc["exit_code"]


def _shown(value: object) -> object:
    """A received value as printed: an absurd length is cut (a hostile answer may carry a
    50,000-character name), saying how long it was."""
    if isinstance(value, str) and len(value) > 120:
        return f"{value[:120]}… ({len(value)} caractères)"
    return value


# -- simulator ---------------------------------------------------------------------------


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
