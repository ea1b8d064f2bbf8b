"""The FORMATION banner, docked on every screen in training mode.

Training data are fictitious; a secretary switching between a training session and the
real desk must never wonder which one she is in, so every screen carries the banner.
"""

from __future__ import annotations

from collections.abc import Iterator

from textual.widgets import Static

TRAINING_TEXT = "FORMATION — données fictives, simulateur INSi, cartes de test"


class TrainingBanner(Static):
    DEFAULT_CSS = """
    TrainingBanner {
        dock: top;
        height: 1;
        width: 100%;
        background: $warning;
        color: $background;
        text-style: bold;
        content-align: center middle;
    }
    """

    def __init__(self) -> None:
        super().__init__(TRAINING_TEXT, id="training-banner", markup=False)


def banner_of(app: object) -> Iterator[Static]:
    """The banner for any screen of `app`, modals included (nothing outside training)."""
    if getattr(app, "training", False):
        yield TrainingBanner()
