"""The ECC200 symbol (ins_tui/label/symbol.py), then the PDF read back by two other decoders.

Tried: for each test identity, the codewords libdmtx produced start with the C40 latch and
their C40 triplets (decoded here, not by the module) spell the header; the module grid has
the ECC200 finder. Then each identity's label in every size is rasterised by `pdftoppm` at
the printer's resolution and read by libdmtx's `dmtxread` and by zxing-cpp: both must give
the ANS layout written out in tests/label/ans.py, field by field, and dmtxread's own
codewords must be C40 from the first one. A payload too long, empty or not ASCII is
refused in French.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ins_tui.domain.model import Status
from ins_tui.label.content import label_content
from ins_tui.label.errors import LabelError
from ins_tui.label.pdf import render_label
from ins_tui.label.sizes import SIZES
from ins_tui.label.symbol import MAX_PAYLOAD, encode_c40
from tests.label.ans import (
    assert_ans_layout,
    c40_header,
    dmtx_codewords,
    dmtx_read,
    expected_text,
    rasterise,
    zxing_read,
)
from tests.label.conftest import IDENTITIES


@pytest.mark.parametrize("name", sorted(IDENTITIES))
def test_symbol_is_c40_from_the_first_codeword_with_the_ecc200_finder(name):
    """libdmtx's codewords: latch 230, then the 24 header characters as C40 triplets."""
    symbol = encode_c40(expected_text(name))
    assert symbol.codewords[0] == 230
    assert c40_header(list(symbol.codewords)) == "IS01" + "0" * 20
    assert symbol.rows == symbol.cols  # square ECC200
    assert all(row[0] for row in symbol.dark)  # solid left edge
    assert all(symbol.dark[-1])  # solid bottom edge
    assert [symbol.dark[0][x] for x in range(4)] == [True, False, True, False]  # clock


@pytest.mark.parametrize("payload", ["", "IS01" + "0" * 22 + "S3" + "A" * (MAX_PAYLOAD + 1),
                                     "IS01" + "0" * 22 + "S4É"])
def test_bad_payloads_are_refused_in_french(payload):
    """Empty, too long, non-ASCII: LabelError with a French message, no symbol."""
    with pytest.raises(LabelError) as caught:
        encode_c40(payload)
    assert caught.value.message_fr.startswith("Datamatrix INS : ")


@pytest.mark.parametrize("size_name", sorted(SIZES))
@pytest.mark.parametrize("name", sorted(IDENTITIES))
def test_rasterised_label_decodes_to_the_ans_layout_with_both_decoders(name, size_name,
                                                                       tmp_path: Path):
    """Render, pdftoppm at the size's printer dpi, then dmtxread and zxing-cpp."""
    ins, traits = IDENTITIES[name]
    size = SIZES[size_name]
    rendered = render_label(label_content(traits, Status.QUAL, ins), size)
    pdf = tmp_path / "label.pdf"
    pdf.write_bytes(rendered.pdf)
    dpi = size.dpi  # as the printer draws it (300 dpi lost symbols: not what prints)
    png = rasterise(pdf, dpi)
    texts = dmtx_read(png)
    assert len(texts) == 1, f"dmtxread : {texts!r}"
    assert_ans_layout(texts[0], name)
    words, matrix = dmtx_codewords(png)
    assert c40_header(words) == "IS01" + "0" * 20
    assert matrix == f"{rendered.symbol.rows} x {rendered.symbol.cols}"
    found = zxing_read(png, size, dpi)
    assert len(found) == size.cells  # one per label, 24 on the A4 sheet
    for raw, symbology in found:
        assert symbology == "]d1"  # ECC200, no FNC1/GS1
        assert_ans_layout(raw.decode("ascii"), name)
