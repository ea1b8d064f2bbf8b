"""From a received fault or a transport failure to a fault family and a French message.

The live service writes codes in either case (`desir_550`, `DESIR_560`) and
puts severities outside its own enumeration, so the mapping compares codes
case-insensitively and never trusts `severite`. Messages tell a secretary what
happened and what to do; the technical detail goes to the journal, not here. What
happens next depends on the caller (the desk queues and says when it retries, the CLI
says to run again), so these texts stop at what happened.
"""

from __future__ import annotations

from ins_tui.insi.outcomes import ErrorKind, Fault

MESSAGES: dict[ErrorKind, str] = {
    ErrorKind.INVALID_INPUT: "Les traits saisis ne peuvent pas être envoyés à l'INSi "
    "(rien n'a été envoyé).",
    ErrorKind.UNKNOWN_IDAM: "Le numéro d'autorisation du logiciel (IDAM) est inconnu du "
    "téléservice INSi : contactez l'éditeur ou vérifiez la configuration.",
    ErrorKind.RIGHTS: "Droits insuffisants pour le téléservice INSi : le certificat de la "
    "structure n'est pas accepté (son nom doit être INSI-AUTO ou INSI-MANU).",
    ErrorKind.UNAVAILABLE: "Le téléservice INSi est momentanément indisponible ou en erreur "
    "technique.",
    ErrorKind.REJECTED: "Le téléservice INSi a refusé la requête : signalez-le à l'éditeur.",
    ErrorKind.TLS: "Connexion sécurisée au téléservice INSi impossible (certificat du "
    "serveur non reconnu ou certificat de la structure refusé).",
    ErrorKind.TIMEOUT: "Le téléservice INSi n'a pas répondu à temps.",
    ErrorKind.NETWORK: "Le téléservice INSi est injoignable (réseau).",
    ErrorKind.MALFORMED: "Réponse du téléservice INSi illisible ou suspecte : elle a été "
    "ignorée et rien n'a été enregistré.",
    ErrorKind.CONFIGURATION: "Le téléservice INSi n'est pas configuré (adresse https://… "
    "attendue).",
    ErrorKind.CERTIFICATE: "Le certificat de la structure (fichier PKCS#12) est illisible "
    "ou son mot de passe est faux.",
    ErrorKind.AUTHENTICATION: "Le téléservice INSi a refusé l'authentification par carte CPS "
    "(assertion non signée, signature invalide ou certificat de la carte non reconnu) : "
    "vérifier la carte et la configuration CPx.",
    ErrorKind.INCOHERENT: "Réponse INSi incohérente : elle a été ignorée ; rien n'a été "
    "enregistré, l'identité garde son statut.",
}

# A CR 00 refused by domain/ins_answer.py: the reasons are `masked_summary` lines (field +
# rule, never a name or a NIR), since the message reaches the journal and a screen.
INCOHERENT_FR = ("Réponse INSi incohérente : {reasons} ; rien n'a été enregistré, l'identité "
                 "garde son statut.")


def incoherent_message(reasons: list[str]) -> str:
    """The secretary's sentence for a refused CR 00, reasons already masked."""
    if not reasons:
        return MESSAGES[ErrorKind.INCOHERENT]
    return INCOHERENT_FR.format(reasons=" ; ".join(reasons))

# DESIR_560 in CPx mode: the client certificate message would point at the wrong thing.
CPX_RIGHTS_MESSAGE = (
    "Droits insuffisants pour le téléservice INSi : la carte CPS n'est pas acceptée "
    "(carte nominative CPS, CPF ou CPE attendue, avec son assertion signée)."
)

# The service's code for a refused assertion PS is not published: this is the simulator's
# choice (docs/decisions.md), matched so the operator gets the CPx message.
AUTHENTICATION_CODES = {"desir_530"}

_UNAVAILABLE_CODES = {"desir_1020", "insi_101", "insi_102"}


def classify_fault(fault: Fault) -> ErrorKind:
    detail = fault.detail_code.lower()
    sub = fault.subcode.lower()
    if detail == "desir_560":
        return ErrorKind.RIGHTS
    if detail in AUTHENTICATION_CODES:
        return ErrorKind.AUTHENTICATION
    if detail == "desir_550" or sub == "siram_100":
        return ErrorKind.UNKNOWN_IDAM
    if detail in _UNAVAILABLE_CODES or sub == "siram_40" or fault.code.lower() == "receiver":
        return ErrorKind.UNAVAILABLE
    return ErrorKind.REJECTED


def fault_message(fault: Fault, mode: str = "mtls") -> str:
    """`mode` is the client's ("mtls" or "cpx"): a refusal of rights names what was sent."""
    kind = classify_fault(fault)
    code = fault.detail_code or fault.subcode or fault.code
    text = CPX_RIGHTS_MESSAGE if kind is ErrorKind.RIGHTS and mode == "cpx" else MESSAGES[kind]
    return f"{text} (code {code})"
