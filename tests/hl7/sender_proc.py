"""A desk process that dies in the middle of an HL7 send (run by test_restart.py).

`python -m tests.hl7.sender_proc DB PORT WHEN`: opens the store, takes the first due hl7
item and sends it with the real transmitter, then `os._exit` — with WHEN `before-send`
after the payload was frozen but before a byte left, with `after-ack` once the receiver's
ACK is in hand but before it is recorded. Exit code 17 proves it died where it was told.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime
from typing import Any

from ins_tui.hl7 import mllp
from ins_tui.hl7.transmitter import Hl7Transmitter
from ins_tui.store import Store
from tests.hl7.helpers import settings_for

DIED = 17


def main() -> None:
    db, port, when = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    store = Store.open(db)

    def exchange(*args: Any, **kwargs: Any) -> bytes:
        if when == "before-send":
            os._exit(DIED)
        mllp.exchange(*args, **kwargs)
        os._exit(DIED)  # the ACK arrived; the process is gone before output_sent

    (item, *_rest) = store.due_outputs("hl7", now=datetime(2100, 1, 1).astimezone())
    Hl7Transmitter(store, settings_for(port), exchange=exchange).send(item)
    sys.exit(1)  # not reached when the transmitter called exchange


if __name__ == "__main__":
    main()
