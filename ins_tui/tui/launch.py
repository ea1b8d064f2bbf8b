"""Build what the app needs (store, INSi, card source, desk) and run it in the terminal.

Training mode is the default when no INSi certificate is configured (architecture.md):
the desk's `TrainingEnvironment` brings its own database, the simulator on loopback and
the test cards; production opens the configured database and INSi endpoint. The app is
the same in both: only the adapters differ. Both are opened by a factory the app runs in
a worker after its first frame, so the screen appears at once.
"""

from __future__ import annotations

import dataclasses
import os
import sys
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
    os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
    if not training and not config.production:
        training = True
    if training:
        if db_path is not None:
            config = dataclasses.replace(config, training_db_path=db_path)
        factory = _training_backend(config, operator)
    else:
        if db_path is not None:
            config = dataclasses.replace(config, db_path=db_path)
        factory = _production_backend(config, operator)
    _private_dirs(config, training)

    from ins_tui.tui.app import InsTuiApp

    app = InsTuiApp(backend=factory, config=config, training=training, operator=operator,
                    theme_name=theme)
    try:
        app.run(mouse=False)
    finally:
        app.close_backend()
    if app.startup_error:
        raise LaunchError(app.startup_error)
    return app.return_code or 0


def _private_dirs(config: Config, training: bool) -> None:
    """Folders 0700 before anything is written in them; a folder another account owns and
    leaves open is said on the terminal (it stays above the app's screen) but not fatal:
    the files in it are 0600 anyway, and its owner, not ins-tui, decides its mode."""
    from ins_tui.paths import prepare_app_dirs

    try:
        warnings = prepare_app_dirs(config, training=training)
    except OSError as exc:
        raise LaunchError(f"Dossier de données impossible à créer : {exc.filename} "
                          f"({exc.strerror}).") from exc
    for warning in warnings:
        print(f"Attention : {warning}", file=sys.stderr)


def _training_backend(config: Config, operator: str | None):
    def open_backend():
        from ins_tui.desk.training import TrainingEnvironment
        from ins_tui.tui.app import Backend

        env = TrainingEnvironment.open(config, actor=operator)
        try:  # identities sent only to [fhir] training_base_url (fhir/settings.py)
            from ins_tui.desk.outbound import sender_for

            outbound = sender_for(env.store, config, training=True)
        except BaseException:
            env.close()
            raise
        return Backend(env.desk, card_source=env.cards.source, training_cards=env.cards,
                       retry=env.retry, outbound=outbound, close=env.close)

    return open_backend


def _production_backend(config: Config, operator: str | None):
    # The password prompt needs the terminal, so it is asked before the app takes it.
    from ins_tui.insi.settings import password_from_env_or_prompt

    password = password_from_env_or_prompt()

    def open_backend():
        from ins_tui.card.source import PcscCardSource
        from ins_tui.desk.desk import Desk
        from ins_tui.desk.outbound import sender_for
        from ins_tui.desk.ports import SystemClock
        from ins_tui.desk.retry import RetryScheduler
        from ins_tui.insi.client import InsiClient
        from ins_tui.insi.settings import settings_from_config
        from ins_tui.store.store import Store
        from ins_tui.tui.app import Backend

        clock = SystemClock(config.zone())
        store = Store.open(config.db_path, clock=clock.now, key_path=config.journal_key)
        try:
            outbound = sender_for(store, config)  # FHIR / HL7 outputs, queued at each change
            client = InsiClient(settings_from_config(config, password=password))
        except BaseException:
            store.close()
            raise
        desk = Desk.from_config(store, client, config, clock=clock, actor=operator or "")

        def close() -> None:
            client.close()
            store.close()

        return Backend(desk, card_source=PcscCardSource(), retry=RetryScheduler(desk),
                       outbound=outbound, close=close)

    return open_backend
