"""Which INSi an `insi search` talks to, and the client set up for it.

Three targets, chosen from the options and the configuration: the configured service
with the structure's certificate (mTLS), the configured service with a CPS card's signed
assertion (CPx), or the bundled training simulator started for the duration of the
command (`--training`, always mTLS). Everything that can be wrong before a byte is sent
(no endpoint, no password, a card that does not open, `--training --cpx`) is raised as
`SetupError` with a French message naming the option to fix, and whatever was opened
(client, card session, simulator) is closed on the way out.
"""

from __future__ import annotations

import argparse


class SetupError(Exception):
    def __init__(self, field: str, message_fr: str) -> None:
        super().__init__(message_fr)
        self.field = field


class TargetClient:
    """Context manager yielding (InsiClient, cleanup) for the chosen target."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.sim = None
        self.client = None
        self.signer = None

    def __enter__(self):
        from dataclasses import replace

        from ins_tui.config import ConfigError, load_config
        from ins_tui.insi.client import InsiClient
        from ins_tui.insi.settings import (
            cpx_settings_from_config,
            password_from_env_or_prompt,
            settings_from_config,
        )
        from ins_tui.insi.signer import SignerError

        try:
            config = load_config()
        except ConfigError as exc:
            raise SetupError("config", str(exc)) from exc
        # Timeouts and bounds from the configuration, for every target (the training
        # simulator's client settings would otherwise keep the built-in defaults).
        timeouts = {"connect_timeout": config.insi_connect_timeout,
                    "read_timeout": config.insi_read_timeout,
                    "max_answer_bytes": config.insi_max_answer_bytes,
                    "deadline": config.insi_deadline,
                    "search_deadline": config.insi_search_deadline}
        args = self.args
        # --training always means the bundled (mTLS) simulator, whatever insi_mode says.
        use_cpx = args.cpx or (config.insi_mode == "cpx" and not args.training)
        if args.training and use_cpx:
            raise SetupError(
                "cpx",
                "--training lance le simulateur en TLS mutuel : pour essayer le mode CPx, "
                "lancez « ins-tui insi simulator --cpx --cpx-ca … » et indiquez --endpoint.",
            )
        if use_cpx:
            endpoint = args.endpoint or config.insi_endpoint
            if not endpoint:
                raise SetupError(
                    "endpoint",
                    "Aucun serveur INSi configuré : indiquez --endpoint et --ca (mode CPx).",
                )
            try:
                cpx = cpx_settings_from_config(
                    config, pkcs11_module=args.pkcs11_module, token_label=args.token_label,
                    key_label=args.key_label, signing_p12=args.signing_p12,
                    billing_id=args.billing_id, activity_sector=args.activity_sector,
                    specialty_code=args.specialty_code)
            except SignerError as exc:
                raise SetupError("cpx", exc.message_fr) from None
            self.signer = cpx.signer
            settings = settings_from_config(config, endpoint=endpoint, ca_bundle=args.ca,
                                            cpx=cpx)
            settings = replace(settings, **timeouts)
        elif self.args.training:
            from ins_tui.insi.simulator import SimulatorServer

            self.sim = SimulatorServer(config.training_dir / "insi").start()
            settings = self.sim.client_settings(
                **timeouts, bad_active_key=config.insi_bad_active_key)
        else:
            endpoint = self.args.endpoint or config.insi_endpoint
            p12 = self.args.p12 or config.insi_p12
            if not endpoint or not p12:
                raise SetupError(
                    "endpoint",
                    "Aucun serveur INSi configuré : indiquez --endpoint, --ca et --p12, "
                    "ou utilisez --training pour le simulateur de formation.",
                )
            password = password_from_env_or_prompt()
            if password is None:
                raise SetupError(
                    "p12",
                    "Mot de passe du certificat absent : définissez INS_TUI_P12_PASSWORD "
                    "ou lancez la commande dans un terminal pour le saisir.",
                )
            settings = settings_from_config(config, endpoint=endpoint, ca_bundle=self.args.ca,
                                            p12=p12, password=password)
            settings = replace(settings, **timeouts)
        self.client = InsiClient(settings)
        return self.client, self._cleanup

    def _cleanup(self) -> None:
        if self.client is not None:
            self.client.close()
        close_signer = getattr(self.signer, "close", None)
        if close_signer is not None:
            close_signer()  # logs the card out (PKCS#11)
            self.signer = None
        if self.sim is not None:
            self.sim.stop()
            self.sim = None

    def __exit__(self, *_exc: object) -> None:
        self._cleanup()
