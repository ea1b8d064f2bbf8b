"""Status machine: every event from every state, allowed or refused (identity-rules §1–2).

The expected outcomes are written out as a table, state by state, from the
rules' transition tables — not computed by the code under test.
"""

from __future__ import annotations

import pytest

from ins_tui.domain.model import Attribute, Status
from ins_tui.domain.status import (
    INITIAL,
    ApcvPresented,
    AttributeCleared,
    AttributeSet,
    DocumentChecked,
    IdentityState,
    InsiFieldsUnlocked,
    InsiMatched,
    InsInvalidated,
    TransitionRefused,
    apply,
    fields_locked,
    insi_call_allowed,
)

D, F, H = Attribute.DOUTEUSE, Attribute.FICTIVE, Attribute.HOMONYME

EVENTS = {
    "insi": InsiMatched(),
    "doc": DocumentChecked("CN"),
    "doc_weak": DocumentChecked("PC"),  # driving licence: not high trust
    "doc_unknown": DocumentChecked("ZZ"),
    "apcv": ApcvPresented(),
    "set_d": AttributeSet(D),
    "set_f": AttributeSet(F),
    "set_h": AttributeSet(H),
    "clear_d": AttributeCleared(D),
    "clear_f": AttributeCleared(F),
    "clear_h": AttributeCleared(H),
    "invalidate": InsInvalidated(),
    "unlock": InsiFieldsUnlocked(),
}

STATES = {
    "PROV": IdentityState.build(),
    "RECUP": IdentityState.build(insi_retrieved=True),
    "VALI": IdentityState.build(document_checked=True),
    "QUAL": IdentityState.build(insi_retrieved=True, document_checked=True),
    "QUAL_APCV": IdentityState.build(document_checked=True, apcv=True),
    "PROV_D": IdentityState.build(frozenset({D})),
    "PROV_F": IdentityState.build(frozenset({F})),
    "PROV_H": IdentityState.build(frozenset({H})),
    "PROV_DH": IdentityState.build(frozenset({D, H})),
    "PROV_FH": IdentityState.build(frozenset({F, H})),
    "RECUP_H": IdentityState.build(frozenset({H}), insi_retrieved=True),
    "QUAL_H": IdentityState.build(frozenset({H}), insi_retrieved=True, document_checked=True),
}

# Expected outcome: "X" = refused; else status and attributes after the event ("QUAL+H").
# Columns in EVENTS order:
#   insi   doc   doc_weak doc_unknown apcv  set_d   set_f   set_h   clear_d clear_f clear_h
#   invalidate unlock
EXPECTED: dict[str, list[str]] = {
    "PROV": ["RECUP", "VALI", "X", "X", "QUAL", "PROV+D", "PROV+F", "PROV+H", "PROV", "PROV",
             "PROV", "X", "X"],
    "RECUP": ["RECUP", "QUAL", "X", "X", "QUAL", "PROV+D", "PROV+F", "RECUP+H", "RECUP",
              "RECUP", "RECUP", "PROV", "PROV"],
    "VALI": ["QUAL", "VALI", "X", "X", "QUAL", "PROV+D", "PROV+F", "VALI+H", "VALI", "VALI",
             "VALI", "X", "X"],
    "QUAL": ["QUAL", "QUAL", "X", "X", "QUAL", "PROV+D", "PROV+F", "QUAL+H", "QUAL", "QUAL",
             "QUAL", "VALI", "PROV"],
    "QUAL_APCV": ["X", "QUAL", "X", "X", "QUAL", "PROV+D", "PROV+F", "QUAL+H", "QUAL", "QUAL",
                  "QUAL", "VALI", "PROV"],
    "PROV_D": ["X", "X", "X", "X", "X", "PROV+D", "X", "PROV+DH", "PROV", "PROV+D", "PROV+D",
               "X", "X"],
    "PROV_F": ["X", "X", "X", "X", "X", "X", "PROV+F", "PROV+FH", "PROV+F", "PROV", "PROV+F",
               "X", "X"],
    "PROV_H": ["RECUP+H", "VALI+H", "X", "X", "QUAL+H", "PROV+DH", "PROV+FH", "PROV+H",
               "PROV+H", "PROV+H", "PROV", "X", "X"],
    "PROV_DH": ["X", "X", "X", "X", "X", "PROV+DH", "X", "PROV+DH", "PROV+H", "PROV+DH",
                "PROV+D", "X", "X"],
    "PROV_FH": ["X", "X", "X", "X", "X", "X", "PROV+FH", "PROV+FH", "PROV+FH", "PROV+H",
                "PROV+F", "X", "X"],
    "RECUP_H": ["RECUP+H", "QUAL+H", "X", "X", "QUAL+H", "PROV+DH", "PROV+FH", "RECUP+H",
                "RECUP+H", "RECUP+H", "RECUP", "PROV+H", "PROV+H"],
    "QUAL_H": ["QUAL+H", "QUAL+H", "X", "X", "QUAL+H", "PROV+DH", "PROV+FH", "QUAL+H", "QUAL+H",
               "QUAL+H", "QUAL", "VALI+H", "PROV+H"],
}  # fmt: skip

_LETTERS = {"D": D, "F": F, "H": H}

CASES = [
    pytest.param(state, event, EXPECTED[state][i], id=f"{state}-{event}")
    for state in STATES
    for i, event in enumerate(EVENTS)
]


def _describe(state: IdentityState) -> str:
    letters = "".join(k for k, v in _LETTERS.items() if v in state.attributes)
    return f"{state.status}+{letters}" if letters else str(state.status)


def test_table_covers_every_state_and_event():
    assert set(EXPECTED) == set(STATES)
    assert all(len(row) == len(EVENTS) for row in EXPECTED.values())


@pytest.mark.parametrize(("state", "event", "expected"), CASES)
def test_transition(state, event, expected):
    before = STATES[state]
    if expected == "X":
        with pytest.raises(TransitionRefused) as refused:
            apply(before, EVENTS[event])
        assert refused.value.message  # French reason for the desk
    else:
        assert _describe(apply(before, EVENTS[event])) == expected


def _reachable() -> set[IdentityState]:
    seen = {INITIAL}
    todo = [INITIAL]
    while todo:
        state = todo.pop()
        for event in EVENTS.values():
            try:
                nxt = apply(state, event)
            except TransitionRefused:
                continue
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def test_invariants_hold_in_every_reachable_state():
    states = _reachable()
    assert {s.status for s in states} == set(Status)
    for state in states:
        blocked = bool(state.attributes & {D, F})
        assert not {D, F} <= state.attributes
        if blocked:
            assert state.status is Status.PROV
            assert not insi_call_allowed(state)
            assert not fields_locked(state)


def test_douteuse_or_fictive_drops_the_ins_and_any_validation():
    after = apply(STATES["QUAL"], AttributeSet(D))
    assert not after.insi_retrieved and not after.document_checked and not after.apcv
    # Clearing the doubt does not bring the old status back: a new check is needed.
    assert apply(after, AttributeCleared(D)).status is Status.PROV


def test_unlock_drops_status_and_ins_and_requires_a_new_call():
    after = apply(STATES["QUAL"], InsiFieldsUnlocked())
    assert after.status is Status.PROV
    assert not after.insi_retrieved and not fields_locked(after)
    assert insi_call_allowed(after)


def test_apcv_is_qual_without_insi():
    after = apply(INITIAL, ApcvPresented())
    assert after.status is Status.QUAL
    assert not after.insi_retrieved
    assert not insi_call_allowed(after)
    assert fields_locked(after)


@pytest.mark.parametrize(
    ("state", "allowed", "locked"),
    [
        ("PROV", True, False),
        ("RECUP", True, True),
        ("VALI", True, False),
        ("QUAL", True, True),
        ("QUAL_APCV", False, True),
        ("PROV_D", False, False),
        ("PROV_F", False, False),
        ("PROV_H", True, False),
        ("QUAL_H", True, True),
    ],
)
def test_insi_call_allowed_and_fields_locked(state, allowed, locked):
    assert insi_call_allowed(STATES[state]) is allowed
    assert fields_locked(STATES[state]) is locked


def test_document_type_object_accepted():
    from ins_tui.domain.documents import document

    assert apply(INITIAL, DocumentChecked(document("PA"))).status is Status.VALI


@pytest.mark.parametrize(
    "kwargs",
    [
        {"status": Status.PROV, "attributes": frozenset({D, F})},
        {"status": Status.PROV, "attributes": frozenset({D}), "insi_retrieved": True},
        {"status": Status.QUAL},
        {"status": Status.PROV, "insi_retrieved": True},
        {"status": Status.VALI, "attributes": frozenset({F}), "document_checked": True},
    ],
)
def test_inconsistent_states_cannot_be_built(kwargs):
    with pytest.raises(ValueError):
        IdentityState(**kwargs)


def test_unknown_event_is_refused():
    with pytest.raises(TransitionRefused):
        apply(INITIAL, object())  # type: ignore[arg-type]
