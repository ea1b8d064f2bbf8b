"""The ECC200 symbol of an INS datamatrix, drawn by libdmtx in C40 encodation.

The ANS format wants the 26-character header C40-encoded (identity-rules.md §13). libdmtx
(Debian `libdmtx0b`, through pylibdmtx's ctypes wrapper) is asked for C40 for the whole
message, one module per pixel and no margin, so the image *is* the module grid; the quiet
zone is the PDF's business. C40 carries every character of a payload (upper-case letters,
digits, space, apostrophe, hyphen, dot, and GS through the Shift 1 set).

What libdmtx produced is not taken on trust: the first codeword must be the C40 latch
(230) and the next 16 must decode, as C40 triplets, to the first 24 characters of the
header. A library update that silently changed the encodation would stop the label here
rather than print a symbol the ANS validator refuses.
"""

from __future__ import annotations

import ctypes
import threading
import warnings
from dataclasses import dataclass
from typing import Any

from ins_tui.label.errors import LabelError

C40_LATCH = 230
MAX_PAYLOAD = 400  # characters; a full INS payload is at most ~290
_C40_BASIC = " 0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # values 3..39 of the C40 basic set
_LOCK = threading.Lock()  # libdmtx encoders are independent, the ctypes set-up is not


@dataclass(frozen=True, slots=True)
class Symbol:
    """A drawn ECC200 symbol: `dark[row][col]` is True for a dark module."""

    rows: int
    cols: int
    dark: tuple[tuple[bool, ...], ...]
    codewords: tuple[int, ...]  # data then error-correction codewords, as placed


def encode_c40(payload: str) -> Symbol:
    """The square ECC200 symbol of `payload`, C40 throughout; LabelError if it cannot be."""
    if not payload or len(payload) > MAX_PAYLOAD:
        raise LabelError(f"Datamatrix INS : contenu de longueur inattendue ({len(payload)}).")
    try:
        data = payload.encode("ascii")
    except UnicodeEncodeError as exc:
        raise LabelError("Datamatrix INS : caractère non ASCII dans le contenu.") from exc
    w = _wrapper()
    with _LOCK:
        encoder = w.dmtxEncodeCreate()
        if not encoder:
            raise LabelError("Datamatrix INS : libdmtx n'a pas pu démarrer (mémoire ?).")
        try:
            prop = w.DmtxProperty
            w.dmtxEncodeSetProp(encoder, prop.DmtxPropScheme, w.DmtxScheme.DmtxSchemeC40)
            w.dmtxEncodeSetProp(encoder, prop.DmtxPropSizeRequest,
                                w.DmtxSymbolSize.DmtxSymbolSquareAuto)
            w.dmtxEncodeSetProp(encoder, prop.DmtxPropModuleSize, 1)
            w.dmtxEncodeSetProp(encoder, prop.DmtxPropMarginSize, 0)
            buffer = ctypes.cast(data, ctypes.POINTER(ctypes.c_ubyte))
            if w.dmtxEncodeDataMatrix(encoder, len(data), buffer) == 0:
                raise LabelError("Datamatrix INS : libdmtx a refusé ce contenu (trop long ?).")
            image = encoder[0].image
            width = w.dmtxImageGetProp(image, prop.DmtxPropWidth)
            height = w.dmtxImageGetProp(image, prop.DmtxPropHeight)
            bpp = w.dmtxImageGetProp(image, prop.DmtxPropBitsPerPixel)
            pixels = ctypes.string_at(image[0].pxl, width * height * bpp // 8)
            message = encoder[0].message[0]
            codewords = tuple(message.code[i] for i in range(message.codeSize))
        finally:
            w.dmtxEncodeDestroy(ctypes.byref(encoder))
    step = bpp // 8
    dark = tuple(
        tuple(pixels[(y * width + x) * step] < 128 for x in range(width)) for y in range(height)
    )
    _check_c40_header(codewords, payload)
    _check_finder(dark)
    return Symbol(rows=height, cols=width, dark=dark, codewords=codewords)


def c40_prefix(codewords: tuple[int, ...], triplets: int) -> str:
    """The text of the first `triplets` C40 triplets after a latch (basic set only)."""
    if not codewords or codewords[0] != C40_LATCH:
        return ""
    out = []
    for i in range(triplets):
        pair = codewords[1 + 2 * i: 3 + 2 * i]
        if len(pair) != 2 or pair[0] == 254:  # 254: unlatch back to ASCII
            break
        value = pair[0] * 256 + pair[1] - 1
        for part in (value // 1600, value // 40 % 40, value % 40):
            if part < 3 or part - 3 >= len(_C40_BASIC):
                return "".join(out)  # a shift: not a header character
            out.append(_C40_BASIC[part - 3])
    return "".join(out)


def _check_c40_header(codewords: tuple[int, ...], payload: str) -> None:
    expected = payload[:24]
    if c40_prefix(codewords, 8) != expected:
        raise LabelError("Datamatrix INS : l'en-tête n'est pas encodé en C40 comme l'exige le "
                         "format ANS ; étiquette non produite (libdmtx à vérifier).")


def _check_finder(dark: tuple[tuple[bool, ...], ...]) -> None:
    """ECC200 shape: solid left column and bottom row, alternating top row."""
    if (not dark or not all(row[0] for row in dark) or not all(dark[-1])
            or any(dark[0][x] != (x % 2 == 0) for x in range(len(dark[0])))):
        raise LabelError("Datamatrix INS : symbole produit mal formé ; étiquette non produite.")


def _wrapper() -> Any:
    try:
        with warnings.catch_warnings():  # its version check uses distutils (deprecated)
            warnings.simplefilter("ignore", DeprecationWarning)
            from pylibdmtx import wrapper
    except ImportError as exc:  # the shared library is looked up at import
        raise LabelError("Datamatrix INS impossible : bibliothèque libdmtx absente (paquet "
                         "Debian libdmtx0b, installé par scripts/bootstrap.sh).") from exc
    return wrapper
