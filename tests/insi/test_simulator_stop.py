"""Tried: the service going away while a client holds a keep-alive connection to it.
A stopped simulator must look like an outage to that client (transport error, nothing
found), not keep answering on the old connection."""

from __future__ import annotations

from ins_tui.domain.model import Sex, Traits
from ins_tui.insi.client import InsiClient
from ins_tui.insi.outcomes import Found, InsiError
from ins_tui.insi.simulator import SimulatorServer

ADRUN = Traits(birth_name="ADRUN", first_names="ZOE", sex=Sex.F, birth_date="1975-12-31")


def test_stop_cuts_keep_alive_connections(sim_dir) -> None:
    server = SimulatorServer(sim_dir).start()
    client = InsiClient(server.client_settings(read_timeout=3.0, connect_timeout=1.0))
    try:
        assert isinstance(client.search_traits(ADRUN), Found)
        server.stop()
        outcome = client.search_traits(ADRUN)
        assert isinstance(outcome, InsiError), outcome
        assert outcome.message_fr
    finally:
        client.close()
        server.stop()
