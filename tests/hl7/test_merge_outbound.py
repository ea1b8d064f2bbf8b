"""A merge leaves the desk as a merge: HL7 ADT^A40 and FHIR `link` replaced-by.

Tried: merging a PROV record into a QUAL one with HL7 and FHIR queued, then letting each
transmitter build the dropped record's item. Before the merge was wired, the dropped record
only got an ordinary update (A31 / a PUT of an active Patient), so a practice software kept
two active patients for one person. Also: an unmerge before sending leaves no A40 at all.
"""

from __future__ import annotations

import json

from ins_tui.fhir.push import SENT, PushResult
from ins_tui.fhir.settings import FhirSettings
from ins_tui.fhir.transmitter import FhirTransmitter, condition_from_body
from ins_tui.hl7.messages import parse
from ins_tui.hl7.transmitter import Hl7Transmitter
from ins_tui.store import Store

from .helpers import qualify, settings_for, traits

SETTINGS = settings_for(2575)
LOCAL = "urn:oid:1.2.250.1.999.1"


class _Pusher:
    def __init__(self) -> None:
        self.sent: list[tuple[list, bytes]] = []

    def put_patient(self, pairs, body, control_id):  # type: ignore[no-untyped-def]
        self.sent.append((pairs, body))
        return PushResult(SENT, "200", 200, b"{}")


def _merged(store: Store) -> tuple[int, int]:
    kept = store.create_patient(traits(), actor="accueil")
    qualify(store, kept)
    dropped = store.create_patient(traits(first_names="PIERRE-ALAIN"), actor="accueil")
    store.merge_patients(kept, dropped, actor="accueil")
    return kept, dropped


def _merge_item(store: Store, target: str, patient_id: int):  # type: ignore[no-untyped-def]
    items = [i for i in store.pending_outputs(target) if i.patient_id == patient_id]
    assert [i.reason for i in items] == ["merge"]
    return items[0]


def test_hl7_sends_a40_with_pid_of_the_survivor_and_mrg_of_the_dropped(store: Store) -> None:
    kept, dropped = _merged(store)
    item = _merge_item(store, "hl7", dropped)
    built = Hl7Transmitter(store, SETTINGS)._build(item)
    assert built.event == "A40"
    msg = parse(built.payload)
    assert msg.validate() and msg.msh.msh_9.to_er7() == "ADT^A40^ADT_A39"
    group = msg.adt_a39_patient
    assert f"{kept}^^^" in group.pid.pid_3[0].to_er7()
    assert [cx.to_er7() for cx in group.mrg.mrg_1] == [
        f"{dropped}^^^CABINET&1.2.250.1.999.1&ISO^PI"]


def test_unmerge_before_sending_dismisses_the_a40(store: Store) -> None:
    _kept, dropped = _merged(store)
    merge = store.merges_for(dropped)[-1]
    store.unmerge(merge.id, actor="accueil")
    items = [i for i in store.pending_outputs("hl7") if i.patient_id == dropped]
    assert [i.reason for i in items] == ["change"]
    assert Hl7Transmitter(store, SETTINGS)._build(items[0]).event in ("A28", "A31")


def test_fhir_sends_the_dropped_patient_inactive_replaced_by_the_survivor(store: Store) -> None:
    store.set_output_targets({"hl7", "fhir"})
    kept, dropped = _merged(store)
    item = _merge_item(store, "fhir", dropped)
    pusher = _Pusher()
    transmitter = FhirTransmitter(store, FhirSettings(base_url="https://fhir.invalid",
                                                      local_system=LOCAL), pusher=pusher)
    assert transmitter.send(item).kind == "sent"
    pairs, body = pusher.sent[0]
    resource = json.loads(body)
    assert resource["active"] is False
    assert resource["link"] == [{"other": {"type": "Patient", "identifier": {
        "use": "usual", "type": {"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "PI"}]},
        "system": LOCAL, "value": str(kept)}}, "type": "replaced-by"}]
    # the dropped resource is found by its local id only: the INS is the survivor's
    assert pairs == condition_from_body(body) == [(LOCAL, str(dropped))]
