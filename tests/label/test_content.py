"""What a label says and in which order (ins_tui/label/content.py), and the label sizes.

Tried: the traits order of the rules for each test identity; used name / used first name
shown only when they differ, marked as used; the matricule's nature from its OID and its
grouping (Corsican 2A/2B too); every non-QUAL status and every QUAL identity that still
cannot carry a code gets no payload and a French reason; the training banner; the sizes
by name (case forgiven, unknown refused in French naming the others).
"""

from __future__ import annotations

import pytest

from ins_tui.domain.model import Ins, Sex, Status, Traits
from ins_tui.label.content import label_content, nature
from ins_tui.label.errors import LabelError
from ins_tui.label.sizes import DEFAULT_SIZE, SIZES, size_named
from tests.label.ans import expected_text
from tests.label.conftest import IDENTITIES

ORDER = ["Nom de naissance", "Prénoms de naissance", "Sexe", "Date de naissance",
         "Lieu de naissance"]


@pytest.mark.parametrize("name", sorted(IDENTITIES))
def test_traits_in_the_order_of_the_rules_then_the_ins(name):
    """Each test identity, QUAL: the five strict traits first, the INS last, payload set."""
    ins, traits = IDENTITIES[name]
    content = label_content(traits, Status.QUAL, ins)
    prefixes = [line.prefix for line in content.lines]
    assert prefixes[:5] == ORDER
    assert prefixes[-1].startswith("INS (")
    assert content.lines[-1].keep_whole
    assert content.payload == expected_text(name)
    assert content.reason_fr is None
    values = {line.prefix: line.value for line in content.lines}
    assert values["Nom de naissance"] == traits.birth_name
    assert values["Prénoms de naissance"] == traits.first_names  # the whole list


def test_values_as_printed_dates_places_and_grouped_matricule():
    """The published test INS: JJ/MM/AAAA, code + commune name, NIR groups with the key."""
    ins, traits = IDENTITIES["published"]
    content = label_content(traits, Status.QUAL, ins, place_name="Mazoires")
    values = {line.prefix: line.value for line in content.lines}
    assert values["Sexe"] == "M"
    assert values["Date de naissance"] == "14/07/2009"
    assert values["Lieu de naissance"] == "63220 Mazoires"
    assert values["INS (NIR)"] == "1 09 07 63 220 834 89"


@pytest.mark.parametrize(("name", "label", "grouped"), [
    ("corsica", "INS (NIR de test)", "1 80 03 2B 020 401 23"),
    ("corsica_2a", "INS (NIR de démonstration)", "2 97 02 2A 020 778 78"),
    ("nia", "INS (NIA)", "1 09 07 63 220 888 35"),
])
def test_nature_of_the_matricule_follows_the_oid(name, label, grouped):
    """Test OID .10, demo OID .11 and the NIA OID .9 are each said; 2A/2B kept as letters."""
    ins, traits = IDENTITIES[name]
    last = label_content(traits, Status.QUAL, ins).lines[-1]
    assert (last.prefix, last.value) == (label, grouped)
    assert nature("1.2.250.1.213.1.4.8") == "NIR"


def test_used_name_shown_when_it_differs_and_marked_as_used():
    """The long identity has a used name: after the strict traits, before the INS."""
    ins, traits = IDENTITIES["long"]
    prefixes = [line.prefix for line in label_content(traits, Status.QUAL, ins).lines]
    assert prefixes == [*ORDER, "Nom utilisé", "INS (NIR de test)"]
    same = Traits("ECETINSI", "PIERRE-ALAIN", Sex.M, "2009-07-14", "63220", "PIERRE-ALAIN",
                  used_name="ECETINSI", used_first_name="PIERRE-ALAIN")
    assert [line.prefix for line in label_content(same, Status.PROV, None).lines] == ORDER
    other = Traits("ECETINSI", "PIERRE-ALAIN", Sex.M, "2009-07-14", "63220", "PIERRE-ALAIN",
                   used_first_name="PIERRE")
    assert [line.prefix for line in label_content(other, Status.PROV, None).lines] == [
        *ORDER, "Prénom utilisé"]


@pytest.mark.parametrize(("status", "word"), [
    (Status.PROV, "identité provisoire"),
    (Status.RECUP, "identité récupérée"),
    (Status.VALI, "identité validée"),
])
def test_non_qualified_statuses_get_no_code_no_matricule_and_a_reason(status, word):
    """PROV, RECUP, VALI with the INS at hand: no payload, no INS line, the reason says why."""
    ins, traits = IDENTITIES["published"]
    content = label_content(traits, status, ins)
    assert content.payload is None
    assert content.reason_fr == f"Identité non qualifiée ({word}) : pas de datamatrix INS."
    assert not any(line.prefix.startswith("INS") for line in content.lines)
    assert all(ins.number not in line.value for line in content.lines)


@pytest.mark.parametrize(("ins", "reason"), [
    (None, "Identité qualifiée sans INS enregistrée : pas de datamatrix INS."),
    (Ins("1090763220834", "89", "1.2.250.1.213.1.4.2"),
     "OID de l'INS inconnu : pas de datamatrix INS."),
    (Ins("1090763220834", "88", "1.2.250.1.213.1.4.8", key_ok=False),
     "Clé du matricule INS incorrecte : pas de datamatrix INS."),
])
def test_qualified_but_not_printable_is_said(ins, reason):
    """QUAL without INS, with the legacy INS-C OID, with a failing key: reason, no code."""
    _, traits = IDENTITIES["published"]
    content = label_content(traits, Status.QUAL, ins)
    assert (content.payload, content.reason_fr) == (None, reason)


def test_missing_birth_date_is_said_by_the_domain():
    """A QUAL record missing its birth date (damaged): the domain's French reason."""
    ins, traits = IDENTITIES["published"]
    broken = Traits(traits.birth_name, traits.first_names, traits.sex, None, "63220",
                    traits.first_name)
    content = label_content(broken, Status.QUAL, ins)
    assert content.payload is None
    assert "date de naissance et sexe requis" in content.reason_fr
    assert content.lines[3].value == "-"


def test_training_banner_comes_first():
    """Training mode marks the label; production labels carry no banner."""
    ins, traits = IDENTITIES["published"]
    assert label_content(traits, Status.QUAL, ins, training=True).banner.startswith(
        "FORMATION")
    assert label_content(traits, Status.QUAL, ins).banner is None


def test_sizes_by_name_and_unknown_size_in_french():
    """Every size is named, roll sizes ask their own media, the sheet asks A4."""
    assert size_named("") is SIZES[DEFAULT_SIZE]
    assert size_named(" Brother-62x29 ") is SIZES["brother-62x29"]
    for size in SIZES.values():
        if size.sheet is None:
            assert size.page == (size.width, size.height)
            assert size.media == f"Custom.{size.width:g}x{size.height:g}mm"
        else:
            assert size.media == "A4"
            left, top = size.sheet_margins
            assert left + size.columns * size.width <= size.sheet[0]
            assert top + size.rows * size.height <= size.sheet[1]
    with pytest.raises(LabelError) as caught:
        size_named("zebra")
    assert "Format d'étiquette « zebra » inconnu" in caught.value.message_fr
    assert all(name in caught.value.message_fr for name in SIZES)
