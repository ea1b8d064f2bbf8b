"""From a received fault or a transport failure to a fault family and a French message.

The live service writes codes in either case (`desir_550`, `DESIR_560`) and
puts severities outside its own enumeration, so the mapping compares codes
case-insensitively and never trusts `severite`. Messages tell a secretary what
happened and what to do; the technical detail goes to the journal, not here.
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
    "technique : la recherche sera refaite plus tard.",
    ErrorKind.REJECTED: "Le téléservice INSi a refusé la requête : signalez-le à l'éditeur.",
    ErrorKind.TLS: "Connexion sécurisée au téléservice INSi impossible (certificat du "
    "serveur non reconnu ou certificat de la structure refusé).",
    ErrorKind.TIMEOUT: "Le téléservice INSi n'a pas répondu à temps : la recherche sera "
    "refaite plus tard.",
    ErrorKind.NETWORK: "Le téléservice INSi est injoignable (réseau) : la recherche sera "
    "refaite plus tard.",
    ErrorKind.MALFORMED: "Réponse du téléservice INSi illisible ou suspecte : elle a été "
    "ignorée et rien n'a été enregistré.",
    ErrorKind.CONFIGURATION: "Le téléservice INSi n'est pas configuré (adresse https://… "
    "attendue).",
    ErrorKind.CERTIFICATE: "Le certificat de la structure (fichier PKCS#12) est illisible "
    "ou son mot de passe est faux.",
}

_UNAVAILABLE_CODES = {"desir_1020", "insi_101", "insi_102"}


def classify_fault(fault: Fault) -> ErrorKind:
    detail = fault.detail_code.lower()
    sub = fault.subcode.lower()
    if detail == "desir_560":
        return ErrorKind.RIGHTS
    if detail == "desir_550" or sub == "siram_100":
        return ErrorKind.UNKNOWN_IDAM
    if detail in _UNAVAILABLE_CODES or sub == "siram_40" or fault.code.lower() == "receiver":
        return ErrorKind.UNAVAILABLE
    return ErrorKind.REJECTED


def fault_message(fault: Fault) -> str:
    kind = classify_fault(fault)
    code = fault.detail_code or fault.subcode or fault.code
    return f"{MESSAGES[kind]} (code {code})"
