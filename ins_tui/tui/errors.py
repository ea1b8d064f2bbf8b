"""One French sentence for any failure that reaches the screen.

Desk, store and card errors already carry French (`message_fr`, a `StoreError`'s text, a
card error's `message`); SQLite and the OS speak English ("database or disk is full"), so
those go through the store's one translation table. Anything else is named by its type
only: an exception's text may quote what was typed (a name), and the status line is
copied into support tickets.
"""

from __future__ import annotations

NOT_SAVED = "rien n'a été enregistré (le reste est intact) ; réessayer une fois réglé."


def error_fr(exc: BaseException, doing: str = "Action") -> str:
    """« <doing> impossible : <why> »; `doing` names what failed (« Recherche INS »)."""
    import sqlite3

    message = getattr(exc, "message_fr", None) or getattr(exc, "message", None)
    if isinstance(message, str) and message:
        return f"{doing} impossible : {message}"
    from ins_tui.store.errors import StoreError, reason_fr

    if isinstance(exc, StoreError):
        return f"{doing} impossible : {exc}"
    if isinstance(exc, sqlite3.Error | OSError):
        return f"{doing} impossible : {reason_fr(exc)} — {NOT_SAVED}"
    return f"{doing} impossible (erreur inattendue {type(exc).__name__}) — {NOT_SAVED}"
