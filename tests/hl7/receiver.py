"""A real MLLP receiver on loopback: hl7apy's own `MLLPServer`, answering as told.

Modes: `AA`, `CA` (accepted), `AE`, `AR` (refused, with an ERR segment), `silent` (reads the
message, never answers: the sender must time out), `close` (reads the message and closes the
connection without a word), `partial` (half an ACK then closes), `huge` (an ACK larger
than any sane bound), `foreign` (an AA for another control id). Every message the server
read is recorded with its MSH-10 and MSH-9, in order, before it answers — so a test sees
what reached the receiver even when the answer was lost.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from hl7apy.consts import VALIDATION_LEVEL
from hl7apy.core import Message
from hl7apy.mllp import AbstractHandler, MLLPServer
from hl7apy.parser import parse_message

EVENTS = ("ADT^A28^ADT_A05", "ADT^A31^ADT_A05", "ADT^A47^ADT_A30", "ADT^A40^ADT_A39")


def ack_for(incoming: str, code: str, control_id: str | None = None,
            error: str = "") -> str:
    """An original-mode ACK built with hl7apy (MSH swapped, MSA-1/2, ERR when refused)."""
    msg_in = parse_message(incoming, validation_level=VALIDATION_LEVEL.TOLERANT,
                           find_groups=False)
    ack = Message("ACK", version="2.5", validation_level=VALIDATION_LEVEL.TOLERANT)
    ack.msh.msh_3 = msg_in.msh.msh_5.to_er7() or "RECV"
    ack.msh.msh_4 = msg_in.msh.msh_6.to_er7() or "FAC"
    ack.msh.msh_5 = msg_in.msh.msh_3.to_er7()
    ack.msh.msh_6 = msg_in.msh.msh_4.to_er7()
    ack.msh.msh_9 = "ACK^" + msg_in.msh.msh_9.msg_2.to_er7() + "^ACK"
    ack.msh.msh_10 = "ACK" + msg_in.msh.msh_10.to_er7()[:17]
    ack.msh.msh_11 = "P"
    ack.msh.msh_12 = "2.5"
    ack.msa.msa_1 = code
    ack.msa.msa_2 = control_id if control_id is not None else msg_in.msh.msh_10.to_er7()
    if error:
        ack.msa.msa_3 = error
        ack.add_segment("ERR")
        ack.err.err_3 = "103^Table value not found^HL70357"
        ack.err.err_4 = "E"
        ack.err.err_8 = error
    return ack.to_er7()


@dataclass
class Received:
    control_id: str
    message_type: str
    text: str


@dataclass
class Receiver:
    mode: str = "AA"
    received: list[Received] = field(default_factory=list)
    port: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _release: threading.Event = field(default_factory=threading.Event)
    _server: MLLPServer | None = None

    def record(self, text: str) -> None:
        fields = text.split("\r", 1)[0].split("|")
        with self._lock:
            self.received.append(Received(fields[9], fields[8], text))

    def control_ids(self) -> list[str]:
        with self._lock:
            return [r.control_id for r in self.received]

    def wait_for(self, count: int, deadline: float = 10.0) -> list[Received]:
        """Poll until `count` messages arrived (a state, not a duration)."""
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            with self._lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.01)
        raise AssertionError(f"{count} messages expected, {len(self.received)} received")

    def reply(self, incoming: str) -> str:
        self.record(incoming)
        mode = self.mode
        if mode in ("AA", "CA"):
            return frame(ack_for(incoming, mode))
        if mode in ("AE", "AR"):
            return frame(ack_for(incoming, mode, error="PID-32 : code QUAL inconnu"))
        if mode == "foreign":
            return frame(ack_for(incoming, "AA", control_id="UN-AUTRE-MESSAGE"))
        if mode == "huge":
            return frame(ack_for(incoming, "AA", error="X" * 200_000))
        if mode == "partial":
            return "\x0b" + ack_for(incoming, "AA")[:30]  # no end block: the server closes
        if mode == "silent":
            self._release.wait(30)  # until the test ends; the sender times out first
            raise ConnectionAbortedError("silent receiver")
        raise ConnectionAbortedError("receiver closes without answering")  # mode "close"

    def start(self) -> Receiver:
        receiver = self

        class Handler(AbstractHandler):
            def reply(self) -> str:
                return receiver.reply(self.incoming_message)

        handlers = {event: (Handler,) for event in EVENTS}
        self._server = MLLPServer("127.0.0.1", 0, handlers, timeout=5)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        return self

    def stop(self) -> None:
        self._release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def frame(text: str) -> str:
    return "\x0b" + text + "\x1c\x0d"
