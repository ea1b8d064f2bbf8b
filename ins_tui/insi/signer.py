"""Signers for the CPx "assertion PS": a PKCS#12 file or a PKCS#11 token (CPS card).

The assertion builder only needs two things from a signer — the signature certificate
and an RSA-SHA256 (PKCS#1 v1.5) signature — so a CPS card behind a PKCS#11 middleware
and a software certificate are interchangeable, and tests can use SoftHSM as a real token.

Privacy: neither a password nor a PIN is kept on the signer once the key is unlocked, and
log lines name a certificate only by a short SHA-256 fingerprint, because a CPS
certificate's subject holds the card holder's name.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

log = logging.getLogger(__name__)


class SignerError(Exception):
    """A signer could not be opened or could not sign; `message_fr` is shown as is."""

    def __init__(self, message_fr: str) -> None:
        super().__init__(message_fr)
        self.message_fr = message_fr


@runtime_checkable
class Signer(Protocol):
    def certificate(self) -> x509.Certificate: ...

    def sign(self, data: bytes) -> bytes:
        """RSA-SHA256 PKCS#1 v1.5 signature of `data` (hashing included)."""
        ...


def fingerprint(cert: x509.Certificate) -> str:
    """Short, non-identifying handle for logs: the subject DN holds a person's name."""
    return cert.fingerprint(hashes.SHA256()).hex()[:16]


def _check_rsa(cert: x509.Certificate) -> rsa.RSAPublicKey:
    key = cert.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise SignerError(
            "Le certificat de signature n'a pas une clé RSA : "
            "l'assertion PS exige une signature RSA-SHA256."
        )
    return key


class Pkcs12Signer:
    """Signs with the key of a PKCS#12 file (a software CPx certificate, or tests)."""

    def __init__(self, path: str | Path, password: str | bytes | None) -> None:
        from cryptography.hazmat.primitives.serialization import pkcs12

        path = Path(path)
        try:
            blob = path.read_bytes()
        except FileNotFoundError:
            raise SignerError(f"Fichier de certificat introuvable : {path}") from None
        except OSError as exc:
            raise SignerError(
                f"Fichier de certificat illisible : {path} ({exc.strerror})"
            ) from None
        secret = password.encode("utf-8") if isinstance(password, str) else password
        try:
            key, cert, _extra = pkcs12.load_key_and_certificates(blob, secret or None)
        except ValueError:
            # cryptography does not tell a wrong password from a damaged file.
            raise SignerError(
                f"Impossible d'ouvrir le certificat {path.name} : mot de passe incorrect "
                "ou fichier PKCS#12 invalide."
            ) from None
        finally:
            del secret
        if key is None or cert is None:
            raise SignerError(
                f"Le fichier {path.name} ne contient pas à la fois une clé privée "
                "et son certificat."
            )
        if not isinstance(key, rsa.RSAPrivateKey):
            raise SignerError(
                f"La clé du fichier {path.name} n'est pas une clé RSA : "
                "l'assertion PS exige une signature RSA-SHA256."
            )
        _check_rsa(cert)
        self._key = key
        self._cert = cert
        log.info("PKCS#12 signer ready (certificate %s)", fingerprint(cert))

    def certificate(self) -> x509.Certificate:
        return self._cert

    def sign(self, data: bytes) -> bytes:
        return self._key.sign(data, padding.PKCS1v15(), hashes.SHA256())

    def __repr__(self) -> str:
        return f"Pkcs12Signer(certificate={fingerprint(self._cert)})"


# PKCS#11 failures a user can fix, mapped to what the front desk reads.
_PKCS11_MESSAGES: dict[str, str] = {
    "PinIncorrect": "Code PIN incorrect. Attention : après plusieurs erreurs la carte se bloque.",
    "PinLocked": "Carte bloquée : trop de codes PIN erronés. Débloquer la carte avec son code "
    "de déblocage (PUK).",
    "PinExpired": "Le code PIN de la carte a expiré : le changer avant de continuer.",
    "PinLenRange": "Code PIN de longueur invalide (une carte CPS attend 4 chiffres).",
    "PinInvalid": "Code PIN invalide : il contient des caractères non admis.",
    "TokenNotPresent": "Aucune carte dans le lecteur : insérer la carte CPS puis réessayer.",
    "TokenNotRecognised": "Carte non reconnue par le module PKCS#11.",
    "DeviceRemoved": "La carte CPS a été retirée : la réinsérer et saisir à nouveau le PIN.",
    "DeviceError": "Erreur du lecteur de carte : vérifier le lecteur et réessayer.",
    "SessionClosed": "La session avec la carte CPS est fermée : saisir à nouveau le PIN.",
    "SessionHandleInvalid": "La session avec la carte CPS n'est plus valide : "
    "saisir à nouveau le PIN.",
    "UserNotLoggedIn": "La carte CPS n'est plus déverrouillée : saisir à nouveau le PIN.",
}


def _pkcs11_message(exc: Exception, fallback: str) -> str:
    for cls in type(exc).__mro__:
        if cls.__name__ in _PKCS11_MESSAGES:
            return _PKCS11_MESSAGES[cls.__name__]
    return f"{fallback} (erreur PKCS#11 : {type(exc).__name__})."


class Pkcs11Signer:
    """Signs with a key held by a PKCS#11 token, e.g. a CPS card through its middleware.

    The PIN is used once, to log the session in, and is not kept: the open session is
    what stays unlocked, so a card removal ends it and a new signer (new PIN) is needed —
    the same life cycle as the card itself. Call `close()` (or use `with`) to log out.
    """

    def __init__(
        self,
        module_path: str | Path,
        token_label: str,
        pin: str,
        *,
        key_label: str | None = None,
        key_id: bytes | None = None,
    ) -> None:
        import pkcs11
        from pkcs11 import exceptions as p11e

        if not pin:
            raise SignerError("Saisir le code PIN de la carte CPS.")
        module = Path(module_path)
        if not module.is_file():
            raise SignerError(f"Module PKCS#11 introuvable : {module}")
        try:
            lib = pkcs11.lib(str(module))
        except Exception as exc:  # the loader raises RuntimeError/OSError variants
            raise SignerError(
                f"Le module PKCS#11 {module.name} n'a pas pu être chargé ({type(exc).__name__})."
            ) from None
        try:
            token = lib.get_token(token_label=token_label)
        except p11e.NoSuchToken:
            raise SignerError(
                f"Carte ou jeton « {token_label} » introuvable : vérifier que la carte CPS "
                "est insérée dans le lecteur."
            ) from None
        except p11e.MultipleTokensReturned:
            raise SignerError(
                f"Plusieurs cartes portent le libellé « {token_label} » : "
                "n'en laisser qu'une dans les lecteurs."
            ) from None
        except p11e.PKCS11Error as exc:
            raise SignerError(_pkcs11_message(exc, "Lecteur de carte inaccessible")) from None
        try:
            session = token.open(user_pin=pin)
        except p11e.UserAlreadyLoggedIn:
            # PKCS#11 login is per application, not per session: another signer of this
            # process still holds the card unlocked, so a plain session is already usable.
            log.debug("PKCS#11 token already unlocked by this process")
            session = token.open()
        except p11e.PKCS11Error as exc:
            raise SignerError(_pkcs11_message(exc, "Ouverture de la carte impossible")) from None
        finally:
            del pin
        try:
            self._key, self._cert = _find_signing_pair(session, key_label, key_id)
        except BaseException:
            session.close()
            raise
        self._session = session
        self._lock = threading.Lock()
        log.info("PKCS#11 signer ready (certificate %s)", fingerprint(self._cert))

    def certificate(self) -> x509.Certificate:
        return self._cert

    def sign(self, data: bytes) -> bytes:
        from pkcs11 import Mechanism
        from pkcs11 import exceptions as p11e

        # A PKCS#11 session runs one operation at a time.
        with self._lock:
            if self._session is None:
                raise SignerError("La session avec la carte CPS est fermée.")
            try:
                return bytes(self._key.sign(data, mechanism=Mechanism.SHA256_RSA_PKCS))
            except p11e.PKCS11Error as exc:
                message = _pkcs11_message(exc, "Signature par la carte impossible")
                raise SignerError(message) from None

    def close(self) -> None:
        with self._lock:
            if self._session is not None:
                try:
                    self._session.close()
                except Exception:  # a removed card cannot be logged out: nothing to undo
                    log.debug("PKCS#11 session close failed", exc_info=False)
                self._session = None

    def __enter__(self) -> Pkcs11Signer:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Pkcs11Signer(certificate={fingerprint(self._cert)})"


def _find_signing_pair(
    session: Any, key_label: str | None, key_id: bytes | None
) -> tuple[Any, x509.Certificate]:
    """Pick the private key and the certificate that goes with it.

    A CPS card holds an authentication and a signature key; when no label or id is
    configured, the one whose certificate allows non-repudiation (the signature
    certificate the assertion's Issuer must name) is chosen.
    """
    from pkcs11 import Attribute, KeyType, ObjectClass

    query: dict[Any, Any] = {Attribute.CLASS: ObjectClass.PRIVATE_KEY}
    if key_label is not None:
        query[Attribute.LABEL] = key_label
    if key_id is not None:
        query[Attribute.ID] = key_id
    keys = [k for k in session.get_objects(query) if _attr(k, Attribute.KEY_TYPE) == KeyType.RSA]
    certs: list[tuple[bytes | None, x509.Certificate]] = []
    for obj in session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE}):
        try:
            certs.append(
                (_attr(obj, Attribute.ID), x509.load_der_x509_certificate(obj[Attribute.VALUE]))
            )
        except ValueError:
            continue
    pairs = []
    for key in keys:
        modulus = _attr(key, Attribute.MODULUS)
        kid = _attr(key, Attribute.ID)
        for cid, cert in certs:
            pub = cert.public_key()
            if not isinstance(pub, rsa.RSAPublicKey):
                continue
            if modulus is not None:
                match = int.from_bytes(modulus, "big") == pub.public_numbers().n
            else:
                match = kid is not None and kid == cid
            if match:
                pairs.append((key, cert))
    if not pairs:
        wanted = f" « {key_label} »" if key_label else ""
        raise SignerError(f"Aucune clé de signature RSA{wanted} avec son certificat sur la carte.")
    if len(pairs) > 1:
        signing = [p for p in pairs if _non_repudiation(p[1])]
        if len(signing) != 1:
            raise SignerError(
                "Plusieurs clés sur la carte : préciser le libellé de la clé de signature "
                "dans la configuration."
            )
        pairs = signing
    return pairs[0]


def _attr(obj: Any, attribute: Any) -> Any:
    try:
        return obj[attribute]
    except Exception:  # attribute absent or sensitive on this token
        return None


def _non_repudiation(cert: x509.Certificate) -> bool:
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return False
    return bool(usage.content_commitment)
