"""The app-wide keys, in one table the app binds and the help (tui/keys.py) lists.

Kept apart from the app class so that the key table and docs/keys.md can be built
without importing the app (which imports every screen): no import circle.
"""

from __future__ import annotations

from textual.binding import Binding, BindingType

# Keys that only mean something with the training services (virtual cards, ApCV).
TRAINING_ONLY = frozenset({"insert_card", "remove_card", "apcv"})

# App keys the first screen (the waiting list) relies on: they win the footer's room there
# before the screen's own keys (issue 12, F13). F5 is step 1 of training (README); F8 the
# day's journal. Keys not available (F5 outside training) are simply not shown.
FIRST_SCREEN_KEYS = ("insert_card", "day_journal")

APP_BINDINGS: list[BindingType] = [
    # Ordered by importance: the footer drops keys from the end when 80 columns are
    # not enough (F1 is always shown; every key stays in F1 and works; the footer's
    # ranking: widgets/footer.py).
    Binding("f1", "help", "Aide", id="app.help", tooltip="Afficher toutes les touches"),
    Binding("f8", "day_journal", "Journal", id="app.journal",
            tooltip="Journal du jour (échanges INSi consultables)"),
    Binding("f5", "insert_card", "Carte", id="app.insert_card",
            tooltip="FORMATION : insérer une carte Vitale de test (liste)"),
    Binding("f6", "remove_card", "Retirer", id="app.remove_card",
            tooltip="FORMATION : retirer la carte de test"),
    Binding("f7", "apcv", "ApCV", id="app.apcv",
            tooltip="FORMATION : présenter l'appli carte Vitale simulée"),
    Binding("ctrl+q", "quit", "Quitter", priority=True, id="app.quit",
            tooltip="Quitter l'application"),
    Binding("f9", "theme", "Thème", show=False, id="app.theme",
            tooltip="Changer de thème (dont 16 couleurs)"),
]
