"""What the tests expect an INS datamatrix to hold, written out by hand, and the readers.

The expected payloads are *not* produced by `ins_tui.domain.datamatrix`: each test identity's
fields are spelled out below from the ANS layout (identity-rules.md §13): the 26-character
header, then identifier + value, with GS (0x1D) after a variable-length field (S2, S3, S4)
shorter than its maximum and not last. `assert_ans_layout` walks a decoded text against
that list and names the first field that differs.

The readers are independent of the code under test: libdmtx's `dmtxread` (its own C
decoder, with `-c` for the raw codewords) and zxing-cpp, both reading a PNG that poppler's
`pdftoppm` rasterised from the PDF; `pdftotext` and `pdfinfo` for the words and the page.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

GS = "\x1d"
HEADER = "IS" + "01" + "0" * 22  # marker, version, 22 reserved zeros

# name -> [(identifier, value, GS follows)], in the order of the format.
EXPECTED: dict[str, list[tuple[str, str, bool]]] = {
    "published": [
        ("S1", "109076322083489", False),
        ("S2", "1.2.250.1.213.1.4.8", True),  # 19 < 20 characters
        ("S3", "PIERRE-ALAIN MURIEL FLORIANT", True),
        ("S4", "ECETINSI", True),
        ("S5", "M", False),
        ("S6", "14-07-2009", False),
        ("S7", "63220", False),
    ],
    "long": [
        ("S1", "275126322074974", False),
        ("S2", "1.2.250.1.213.1.4.10", False),  # 20 characters: full, no GS
        ("S3", "MARIE-CHRISTINE JEANNE-ANTOINETTE ANNE-SOPHIE BERNADETTE GENEVIEVE "
               "MARGUERITE", True),
        ("S4", "D'ALMEIDA--N'DIAYE DE LA TOUR", True),
        ("S5", "F", False),
        ("S6", "31-12-1975", False),
        ("S7", "63220", False),
    ],
    "corsica": [
        ("S1", "180032B02040123", False),
        ("S2", "1.2.250.1.213.1.4.10", False),
        ("S3", "ANTHONY", True),
        ("S4", "CORSE", True),
        ("S5", "M", False),
        ("S6", "02-03-1980", False),
        ("S7", "2B020", False),
    ],
    "corsica_2a": [
        ("S1", "297022A02077878", False),
        ("S2", "1.2.250.1.213.1.4.11", False),
        ("S3", "LAETITIA", True),
        ("S4", "AJACCIENNE", True),
        ("S5", "F", False),
        ("S6", "01-02-1997", False),
        ("S7", "2A004", False),
    ],
    "nia": [  # no birthplace: S6 is last
        ("S1", "109076322088835", False),
        ("S2", "1.2.250.1.213.1.4.9", True),
        ("S3", "MATRICULE", True),
        ("S4", "PROVISOIRE", True),
        ("S5", "M", False),
        ("S6", "01-07-2009", False),
    ],
}


def expected_text(name: str) -> str:
    return HEADER + "".join(i + v + (GS if gs else "") for i, v, gs in EXPECTED[name])


def assert_ans_layout(decoded: str, name: str) -> None:
    """Header fields, then each identifier, value and separator, in order; nothing after."""
    assert decoded[:2] == "IS", f"marqueur {decoded[:2]!r}"
    assert decoded[2:4] == "01", f"version {decoded[2:4]!r}"
    assert decoded[4:26] == "0" * 22, f"zone réservée {decoded[4:26]!r}"
    pos = 26
    for ident, value, gs in EXPECTED[name]:
        assert decoded[pos:pos + 2] == ident, f"identifiant attendu {ident} à {pos}"
        pos += 2
        assert decoded[pos:pos + len(value)] == value, f"{ident} : {decoded[pos:]!r}"
        pos += len(value)
        if gs:
            assert decoded[pos:pos + 1] == GS, f"GS attendu après {ident}"
            pos += 1
        else:
            assert decoded[pos:pos + 1] != GS, f"GS inattendu après {ident}"
    assert decoded[pos:] == "", f"reste inattendu : {decoded[pos:]!r}"


# -- C40, decoded here from the codewords dmtxread reports (ISO/IEC 16022 §5.2.5) --------
_C40 = " 0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def c40_header(codewords: list[int], chars: int = 24) -> str:
    """The first `chars` basic-set characters after a C40 latch (230), or '' if not C40."""
    if not codewords or codewords[0] != 230:
        return ""
    text = ""
    i = 1
    while len(text) < chars and i + 1 < len(codewords):
        value = codewords[i] * 256 + codewords[i + 1] - 1
        for c in (value // 1600, (value // 40) % 40, value % 40):
            if c < 3:
                return text  # a shift: the header is over
            text += _C40[c - 3]
        i += 2
    return text[:chars]


# -- poppler and the decoders ------------------------------------------------------------
def rasterise(pdf: Path, dpi: int, *, page: int = 1) -> Path:
    """PNG of one page at `dpi` (grey), beside the PDF."""
    stem = pdf.with_name(f"{pdf.stem}-p{page}-{dpi}")
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", "-singlefile",
                    "-f", str(page), "-l", str(page), str(pdf), str(stem)],
                   check=True, timeout=60, capture_output=True)
    return stem.with_suffix(".png")


def dmtx_read(png: Path, *, count: int = 1) -> list[str]:
    """Texts libdmtx's own reader finds (at most `count`), bounded to 30 s."""
    done = subprocess.run(["dmtxread", "-N", str(count), "-m", "20000", "-n", str(png)],
                          capture_output=True, timeout=60, check=False)
    return [t for t in done.stdout.decode("latin-1").split("\n") if t] if done.stdout else []


def dmtx_codewords(png: Path) -> tuple[list[int], str]:
    """Data codewords of the first symbol, and the matrix size line (`-v`)."""
    done = subprocess.run(["dmtxread", "-N", "1", "-m", "20000", "-c", "-v", str(png)],
                          capture_output=True, timeout=60, check=False)
    text = done.stdout.decode("latin-1")
    words = [int(m) for m in re.findall(r"^d:(\d+)", text, re.MULTILINE)]
    size = re.search(r"Matrix Size:\s*(\d+ x \d+)", text + done.stderr.decode("latin-1"))
    return words, size.group(1) if size else ""


def zxing_read(png: Path, size: Any = None, dpi: int = 0) -> list[tuple[bytes, str]]:
    """(raw bytes, symbology identifier) of every Data Matrix zxing-cpp finds.

    With a sheet `size`, each label cell is cropped and read on its own: one symbol per
    cell, at its place. A whole A4 page read at once lost one symbol of 24 now and then
    (zxing's detector, not the label): the cell-by-cell read also proves the position."""
    import zxingcpp
    from PIL import Image

    def read(image: Any) -> list[tuple[bytes, str]]:
        found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.DataMatrix,
                                       text_mode=zxingcpp.TextMode.Plain)
        return [(bytes(b.bytes), b.symbology_identifier) for b in found]

    with Image.open(png) as image:
        if size is None or size.sheet is None:
            return read(image)
        px = dpi / 25.4
        left, top = size.sheet_margins
        cells = []
        for r in range(size.rows):
            for c in range(size.columns):
                x, y = (left + c * size.width) * px, (top + r * size.height) * px
                box = (round(x), round(y), round(x + size.width * px),
                       round(y + size.height * px))
                in_cell = read(image.crop(box))
                assert len(in_cell) == 1, f"cellule {r + 1}×{c + 1} : {in_cell!r}"
                cells.extend(in_cell)
        return cells


def pdf_text(pdf: Path) -> str:
    """The words of the PDF in reading order, spaces and line ends folded."""
    done = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True,
                          timeout=60, check=True)
    return " ".join(done.stdout.decode("utf-8").split())


def page_size_mm(pdf: Path) -> tuple[float, float]:
    done = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, timeout=60, check=True)
    match = re.search(r"Page size:\s*([\d.]+) x ([\d.]+) pts", done.stdout.decode())
    assert match, done.stdout
    return float(match.group(1)) * 25.4 / 72, float(match.group(2)) * 25.4 / 72
