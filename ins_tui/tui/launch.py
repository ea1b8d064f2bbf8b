"""Build what the app needs (store, INSi, card source, desk) and run it in the terminal.

Training mode is the default when no INSi certificate is configured (architecture.md):
the desk's `TrainingEnvironment` brings its own database, the simulator on loopback and
the test cards; production opens the configured database and INSi endpoint. The app is
the same in both: only the adapters differ.
"""

from __future__ import annotations

import os
from pathlib import Path

from ins_tui.config import Config


class LaunchError(Exception):
    """The app cannot start; the message is French and says what to fix."""


def launch(
    config: Config,
    *,
    training: bool = False,
    db_path: Path | None = None,
    theme: str | None = None,
    operator: str | None = None,
) -> int:
    import dataclasses

    os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
    if not training and not config.production:
        training = True
    if training:
        if db_path is not None:
            config = dataclasses.replace(config, training_db_path=db_path)
        return _run_training(config, theme=theme, operator=operator)
    if db_path is not None:
        config = dataclasses.replace(config, db_path=db_path)
    return _run_production(config, theme=theme, operator=operator)


def _run_training(config: Config, *, theme: str | None, operator: str | None) -> int:
    from ins_tui.desk.training import TrainingEnvironment
    from ins_tui.tui.app import InsTuiApp

    try:
        env = TrainingEnvironment.open(config, actor=operator)
    except Exception as exc:
        message = getattr(exc, "message_fr", None) or str(exc)
        raise LaunchError(f"Mode formation impossible à démarrer : {message}") from exc
    with env:
        app = InsTuiApp(
            env.desk, config=config, card_source=env.cards.source, training_cards=env.cards,
            retry=env.retry, training=True, operator=operator, theme_name=theme,
        )
        app.run(mouse=False)
    return app.return_code or 0


def _run_production(config: Config, *, theme: str | None, operator: str | None) -> int:
    from ins_tui.card.source import PcscCardSource
    from ins_tui.desk.desk import Desk
    from ins_tui.desk.retry import RetryScheduler
    from ins_tui.insi.client import InsiClient
    from ins_tui.insi.settings import password_from_env_or_prompt, settings_from_config
    from ins_tui.store.store import Store
    from ins_tui.tui.app import InsTuiApp

    try:
        store = Store.open(config.db_path)
    except Exception as exc:
        message = getattr(exc, "message_fr", None) or str(exc)
        raise LaunchError(f"Base de données inutilisable ({config.db_path}) : {message}") from exc
    password = password_from_env_or_prompt()
    client = InsiClient(settings_from_config(config, password=password))
    try:
        desk = Desk(store, client, actor=operator or "", documents=config.documents)
        app = InsTuiApp(
            desk, config=config, card_source=PcscCardSource(), retry=RetryScheduler(desk),
            training=False, operator=operator, theme_name=theme,
        )
        app.run(mouse=False)
    finally:
        client.close()
        store.close()
    return app.return_code or 0
