"""Card errors, each carrying the French sentence the front desk will read.

They live apart from the reader so that transports, the virtual chip and the
sources can raise them without importing the reader (and pyscard with it).
"""

from __future__ import annotations

TRAITS_HINT = "Utiliser la recherche par traits (saisie manuelle)."


class CardError(Exception):
    """Base of every card failure; `message` is shown to the user as is."""

    default_message = "Lecture de la carte impossible. " + TRAITS_HINT

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class CardRemovedError(CardError):
    """The card left the reader (or the reader vanished) before the read ended.

    Kept distinct so the UI says "card pulled out" and offers to re-insert,
    instead of showing half-read data.
    """

    default_message = "Carte retirée pendant la lecture : la réinsérer et attendre la fin."


class NotVitaleError(CardError):
    """The card does not hold the VITALE application (bank card, CPS, unknown)."""

    default_message = "Cette carte n'est pas une carte Vitale. " + TRAITS_HINT


# What the desk says of a card recognised by its ATR once SELECT VITALE has failed
# (issue 12, F12): a CPS is the practitioner's own card, often left in the other slot.
CPS_MESSAGE = ("Carte CPS du praticien — insérez la carte Vitale du patient "
               "(ou utilisez la recherche par traits).")
BANK_MESSAGE = ("Carte bancaire : ce n'est pas une carte Vitale. Insérez la carte Vitale du "
                "patient, ou " + TRAITS_HINT[0].lower() + TRAITS_HINT[1:])


class Vitale1Error(CardError):
    """A first-generation Vitale: no public layout exists, so it is not read at all."""

    default_message = (
        "Carte Vitale 1 (ancienne génération) : non lisible par ce logiciel. " + TRAITS_HINT
    )


class UnreadableCardError(CardError):
    """The card answered, but not in a way that yields trustworthy data."""

    default_message = "La carte ne répond pas correctement. " + TRAITS_HINT


class NoCardError(CardError):
    """No card in the reader(s) asked for."""

    default_message = "Aucune carte dans le lecteur."


class ServiceUnavailableError(CardError):
    """pcscd cannot be reached (not running, or a forwarded socket that is gone)."""

    default_message = (
        "Service des lecteurs de cartes (pcscd) indisponible : vérifier qu'il est démarré."
    )


class TransmitError(Exception):
    """A transmit failed but the card still seems present: worth retrying.

    Not a `CardError`: it never reaches the user; after the retries the reader
    turns it into `UnreadableCardError`.
    """
