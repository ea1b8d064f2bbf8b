"""HL7 v2 output: identities as IHE PAM France ADT messages (ITI-30), sent over MLLP.

Why a package of its own beside `insi/` and `card/`: it is an adapter to another piece of
software, like them; it reads `store.records`/`store.outbox` types and the domain, never the
desk or the screens. Modules: `fields` (PID values, pure), `messages` (hl7apy builders and
parse-back), `mllp` (framing and one exchange on a socket), `ack` (reading the answer),
`transmitter` (one queued item: build, freeze, send, classify; `desk/outbound.py` drives
it and records the results), `settings` (the `[hl7]` keys, checked).
"""
