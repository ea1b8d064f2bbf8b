"""The INSi simulator: real HTTPS with mutual TLS on loopback, the real contract.

It exists so that code passing against it passes against the qualification
server: each request is validated against the project's XSDs, the client
certificate's CN is checked like the service does (DESIR_560), the IDAM like
the service does (desir_550), and answers come from the CNDA/live table with
the exact CR labels, varied prefixes and unused namespace declarations the
live service sends. Knobs reproduce what the real service does on bad days:
latency, random unavailability (desir_1020), the qualification quirk
(insi_102 instead of CR 01), and hostile answers for robustness tests.

One idea per module; this package only re-exports them, so
`from ins_tui.insi.simulator import SimulatorServer` keeps working:
- `answers.py`: the bytes sent back (RESULTAT, SOAP faults, CR labels, fault table);
- `hostile.py`: the bad-day answers (malformed `EVIL_MODES`, well-formed but corrupted
  `HOSTILE_ANSWER_MODES`);
- `service.py`: `SimulatorService`, the service's checks and decision for one request;
- `wire.py`: the HTTP/1.1 handler and threaded server (bounded, deadline-kept reads);
- `server.py`: `SimulatorServer`, PKI + TLS context + thread + client settings;
- `runner.py`: `run_simulator`, the foreground run of `ins-tui insi simulator`.
The identity table the answers come from is `ins_tui/insi/identities.py`.
"""

from ins_tui.insi.simulator.answers import CR_LABELS, FAULTS, fault_bytes, resultat_bytes
from ins_tui.insi.simulator.hostile import (
    EVIL_MODES,
    FOREIGN_OID,
    HOSTILE_ANSWER_MODES,
    evil_bytes,
    hostile_answer,
)
from ins_tui.insi.simulator.runner import run_simulator
from ins_tui.insi.simulator.server import TRAINING_IDAM, SimulatorServer
from ins_tui.insi.simulator.service import ACCEPTED_CNS, SimulatorService
from ins_tui.insi.simulator.wire import MAX_REQUEST_BYTES

__all__ = [
    "ACCEPTED_CNS",
    "CR_LABELS",
    "EVIL_MODES",
    "FAULTS",
    "FOREIGN_OID",
    "HOSTILE_ANSWER_MODES",
    "MAX_REQUEST_BYTES",
    "TRAINING_IDAM",
    "SimulatorServer",
    "SimulatorService",
    "evil_bytes",
    "fault_bytes",
    "hostile_answer",
    "resultat_bytes",
    "run_simulator",
]
