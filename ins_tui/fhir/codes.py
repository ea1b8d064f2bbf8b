"""FR Core (FHIR R4) names the Patient resource uses: profile URLs, extensions, code systems.

Gathered in one module because each of them is a fact read from the FR Core guide
(`Interop-Sante/hl7.fhir.fr.core`, 2.2.0-ballot, see `interop.md` §1 of the shared corpus)
and a receiver that disagrees with one of them is answered by changing it here only.
"""

from __future__ import annotations

from ins_tui.domain.model import OID_DEMO_NIR, OID_INS_NIA, OID_INS_NIR, OID_TEST_NIR

FR_CORE = "https://hl7.fr/ig/fhir/core"
PROFILE_PATIENT = f"{FR_CORE}/StructureDefinition/fr-core-patient"
PROFILE_PATIENT_INS = f"{FR_CORE}/StructureDefinition/fr-core-patient-ins"

EXT_IDENTITY_RELIABILITY = f"{FR_CORE}/StructureDefinition/fr-core-identity-reliability"
EXT_BIRTH_LIST_GIVEN_NAME = f"{FR_CORE}/StructureDefinition/fr-core-patient-birth-list-given-name"
EXT_INSEE_CODE = f"{FR_CORE}/StructureDefinition/fr-core-address-insee-code"
EXT_BIRTH_PLACE = "http://hl7.org/fhir/StructureDefinition/patient-birthPlace"

CS_IDENTIFIER_TYPE = f"{FR_CORE}/CodeSystem/fr-core-cs-v2-0203"
CS_HL7_IDENTIFIER_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0203"
CS_IDENTITY_STATUS = f"{FR_CORE}/CodeSystem/fr-core-cs-identity-status"
CS_METHOD_COLLECTION = f"{FR_CORE}/CodeSystem/fr-core-cs-method-collection"
CS_VALIDATION_MODE = f"{FR_CORE}/CodeSystem/fr-core-cs-mode-validation-identity"
CS_STATUS_COMMENT = f"{FR_CORE}/CodeSystem/fr-core-cs-identity-status-comment"
# The COG system both FR Core examples use (communes; the one for a `99xxx` country code
# is not shown by the guide: the same one is used, see docs/decisions.md).
CS_COG = "https://mos.esante.gouv.fr/NOS/TRE_R13-CommuneOM/FHIR/TRE-R13-CommuneOM"


# OID of the matricule -> (FR Core identifier type code, `use` of the active INS).
INS_IDENTIFIER_TYPES: dict[str, tuple[str, str]] = {
    OID_INS_NIR: ("INS-NIR", "official"),
    OID_INS_NIA: ("INS-NIA", "temp"),
    OID_TEST_NIR: ("INS-NIR-TEST", "official"),
    OID_DEMO_NIR: ("INS-NIR-DEMO", "official"),
}

# `methodCollection` codes (fr-core-cs-method-collection): the store's channels that are
# RNIV channels map to themselves; DOC (a document checked) is no collection channel.
METHOD_COLLECTION = frozenset({"SM", "CV", "INSI", "CB", "RFID", "AV"})

# `validationMode` codes (fr-core-cs-mode-validation-identity). `LE` (livret de famille)
# and the insufficient `PC`/`VIT` that the desk can record are not in the list: they are
# left out rather than sent as a code the required binding would refuse.
VALIDATION_MODES = frozenset({"CN", "PA", "CS", "eCN", "IN", "AV", "LECV", "AN", "LEP", "CC",
                              "ANCV"})

# RNIV attribute -> `comment` code (fr-core-cs-identity-status-comment).
ATTRIBUTE_COMMENTS = {"douteuse": "DOUT", "fictive": "FICT", "homonyme": "HOMA"}

GENDERS = {"F": "female", "M": "male"}
