"""The label as a PDF (fpdf2): traits on the left, the datamatrix or the reason on the right.

Sizes are fitted, never overflowed: the text is wrapped to its box and the font shrinks
from 9 pt to 4.5 pt until every line fits; past that, a value is cut with « ... » (the
matricule never is) and the layout says so. Names are bounded by the domain (100
characters), so cutting only happens with several long used names on the smallest label.

The datamatrix is drawn as vector rectangles, a whole number of printer dots per module
(`LabelSize.dpi`), between 0.25 mm and 0.5 mm, with a quiet zone of two modules (ISO/IEC
16022 asks for one; two leave room for a label cut slightly off), and « INS à scanner »
under it. Nothing else is ever drawn in the quiet zone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ins_tui.label.content import CAPTION, LabelContent, Line
from ins_tui.label.errors import LabelError
from ins_tui.label.sizes import LabelSize
from ins_tui.label.symbol import Symbol, encode_c40

if TYPE_CHECKING:
    from fpdf import FPDF

PT = 25.4 / 72  # millimetres per point
QUIET_MODULES = 2
MIN_MODULE = 0.25  # mm
MAX_MODULE = 0.51  # mm (4 dots at 203 dpi)
MAX_FONT, MIN_FONT, FONT_STEP = 9.0, 4.5, 0.25
LEADING = 1.18
CAPTION_FONT, MIN_CAPTION_FONT = 5.5, 4.0
GAP = 1.5  # mm between the text and the code (or the reason box)
FONT = "Helvetica"
ELLIPSIS = "..."


@dataclass(frozen=True, slots=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    def inside(self, other: Box, eps: float = 1e-6) -> bool:
        return (self.x >= other.x - eps and self.y >= other.y - eps
                and self.x + self.w <= other.x + other.w + eps
                and self.y + self.h <= other.y + other.h + eps)

    def overlaps(self, other: Box) -> bool:
        return not (self.x + self.w <= other.x or other.x + other.w <= self.x
                    or self.y + self.h <= other.y or other.y + other.h <= self.y)


@dataclass(frozen=True, slots=True)
class Row:
    box: Box
    baseline: float
    parts: tuple[tuple[str, bool], ...]  # (text, bold), one space between parts

    @property
    def text(self) -> str:
        return " ".join(text for text, _ in self.parts)


@dataclass(frozen=True, slots=True)
class CellLayout:
    """Where everything goes in one label, from its top-left corner (mm)."""

    cell: Box
    text_box: Box
    rows: tuple[Row, ...]
    font_size: float
    truncated: bool
    code_box: Box | None = None  # symbol plus its quiet zone
    module: float = 0.0
    caption: Row | None = None
    reason_box: Box | None = None
    reason_rows: tuple[Row, ...] = ()
    reason_font: float = 0.0


@dataclass(frozen=True, slots=True)
class RenderedLabel:
    pdf: bytes
    size: LabelSize
    layout: CellLayout  # every cell of a sheet has this layout, shifted
    symbol: Symbol | None
    reason_fr: str | None = None  # why there is no datamatrix (printed on the label too)


def render_label(content: LabelContent, size: LabelSize) -> RenderedLabel:
    """The PDF of a label (a sheet repeats it in each cell); LabelError when it cannot fit."""
    from fpdf import FPDF

    symbol = encode_c40(content.payload) if content.payload else None
    pdf = FPDF(orientation="P", unit="mm", format=size.page)
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.set_title("Étiquette patient")  # never the patient's name: it shows in print queues
    pdf.set_creator("ins-tui")
    pdf.add_page()
    layout = _layout_cell(pdf, content, size, symbol)
    left, top = size.sheet_margins
    for r in range(size.rows):
        for c in range(size.columns):
            _draw_cell(pdf, layout, symbol, left + c * size.width, top + r * size.height)
    return RenderedLabel(bytes(pdf.output()), size, layout, symbol,
                         None if symbol is not None else content.reason_fr)


# -- layout -------------------------------------------------------------------------------

def _layout_cell(pdf: FPDF, content: LabelContent, size: LabelSize,
                 symbol: Symbol | None) -> CellLayout:
    w, h = size.width, size.height
    margin = 2.5 if size.sheet else max(1.5, round(min(w, h) * 0.05, 2))
    inner = Box(margin, margin, w - 2 * margin, h - 2 * margin)
    code_box = caption = reason_box = None
    reason_rows: tuple[Row, ...] = ()
    module = reason_font = 0.0
    if symbol is not None:
        caption_h = CAPTION_FONT * PT * 1.3
        modules = symbol.cols + 2 * QUIET_MODULES
        dot = 25.4 / size.dpi
        module = math.floor(min((inner.h - caption_h) / modules, MAX_MODULE) / dot + 1e-9) * dot
        if module < MIN_MODULE - 1e-9:
            raise LabelError(
                f"Étiquette « {size.name} » trop petite pour le datamatrix INS de cette "
                f"identité (module de {module:.2f} mm, 0,25 mm au moins) : choisir un format "
                "plus grand ([label] size).")
        side = modules * module
        y0 = inner.y + (inner.h - side - caption_h) / 2
        code_box = Box(inner.x + inner.w - side, y0, side, side)
        caption = _caption_row(pdf, code_box, caption_h)
        right = code_box.x
    else:
        width = min(inner.h * 1.1, inner.w * 0.4)
        reason_box = Box(inner.x + inner.w - width, inner.y, width, inner.h)
        pad = 1.0
        text_area = Box(reason_box.x + pad, reason_box.y + pad, width - 2 * pad,
                        inner.h - 2 * pad)
        reason = content.reason_fr or "Pas de datamatrix INS."
        reason_rows, reason_font, _ = _fit(pdf, [Line("", reason, strong=True)], text_area,
                                           max_font=7.0)
        right = reason_box.x
    text_box = Box(inner.x, inner.y, right - GAP - inner.x, inner.h)
    if text_box.w < 15:
        raise LabelError(f"Étiquette « {size.name} » trop étroite pour les traits : choisir "
                         "un format plus grand ([label] size).")
    lines = list(content.lines)
    if content.banner:
        lines.insert(0, Line("", content.banner, strong=True))
    rows, font, truncated = _fit(pdf, lines, text_box, max_font=MAX_FONT)
    return CellLayout(Box(0, 0, w, h), text_box, rows, font, truncated, code_box, module,
                      caption, reason_box, reason_rows, reason_font)


def _caption_row(pdf: FPDF, code_box: Box, height: float) -> Row:
    font = CAPTION_FONT
    while True:
        pdf.set_font(FONT, "", font)
        width = pdf.get_string_width(CAPTION)
        if width <= code_box.w or font <= MIN_CAPTION_FONT:
            break
        font -= 0.25
    x = code_box.x + max(0.0, (code_box.w - width) / 2)
    y = code_box.y + code_box.h
    return Row(Box(x, y, min(width, code_box.w), height), y + font * PT * 0.9,
               ((CAPTION, False),))


def _fit(pdf: FPDF, lines: list[Line], box: Box, *,
         max_font: float) -> tuple[tuple[Row, ...], float, bool]:
    """Rows for `lines` in `box`: the largest font at which all fit, else cut values."""
    font = max_font
    while True:
        wrapped = [_wrap(pdf, line, font, box.w) for line in lines]
        height = font * PT * LEADING
        if sum(len(rows) for rows in wrapped) * height <= box.h + 1e-6:
            return _place(wrapped, box, font), font, False
        if font - FONT_STEP < MIN_FONT - 1e-9:
            break
        font -= FONT_STEP
    budget = int((box.h + 1e-6) // height)
    if budget < len(lines):
        raise LabelError("Étiquette trop petite pour ces traits : choisir un format plus "
                         "grand ([label] size).")
    extra = budget - len(lines)
    kept: list[list[list[tuple[str, bool]]]] = []
    for rows in wrapped:
        take = 1 + min(extra, len(rows) - 1)
        extra -= take - 1
        chosen = rows[:take]
        if take < len(rows):
            chosen[-1] = _with_ellipsis(pdf, chosen[-1], font, box.w)
        kept.append(chosen)
    return _place(kept, box, font), font, True


def _place(wrapped: list[list[list[tuple[str, bool]]]], box: Box, font: float
           ) -> tuple[Row, ...]:
    height = font * PT * LEADING
    rows: list[Row] = []
    for parts in (row for line in wrapped for row in line):
        top = box.y + len(rows) * height
        rows.append(Row(Box(box.x, top, box.w, height), top + font * PT * 0.85, tuple(parts)))
    return tuple(rows)


def _tokens(line: Line) -> list[tuple[str, bool]]:
    prefix = line.prefix.split()
    if prefix:
        prefix[-1] += " :"  # the colon stays with its word (French spacing)
    values = [line.value] if line.keep_whole else line.value.split()
    return [(word, False) for word in prefix] + [(word, line.strong) for word in values]


def _wrap(pdf: FPDF, line: Line, font: float, width: float
          ) -> list[list[tuple[str, bool]]]:
    rows: list[list[tuple[str, bool]]] = []
    row: list[tuple[str, bool]] = []
    used = 0.0
    for text, bold in _tokens(line):
        for piece in _split_long(pdf, text, bold, font, width):
            w = _width(pdf, piece, bold, font)
            space = _width(pdf, " ", bold, font) if row else 0.0
            if row and used + space + w > width + 1e-6:
                rows.append(row)
                row, used, space = [], 0.0, 0.0
            row.append((piece, bold))
            used += space + w
    if row:
        rows.append(row)
    return rows or [[("", False)]]


def _split_long(pdf: FPDF, text: str, bold: bool, font: float,
                width: float) -> list[str]:
    """A word wider than the box is cut where it must be (a long hyphenated name)."""
    if _width(pdf, text, bold, font) <= width:
        return [text]
    pieces, current = [], ""
    for char in text:
        if current and _width(pdf, current + char, bold, font) > width:
            pieces.append(current)
            current = ""
        current += char
    return [*pieces, current] if current else pieces


def _with_ellipsis(pdf: FPDF, parts: list[tuple[str, bool]], font: float,
                   width: float) -> list[tuple[str, bool]]:
    parts = list(parts)

    def row_width(items: list[tuple[str, bool]]) -> float:
        return (sum(_width(pdf, t, b, font) for t, b in items)
                + _width(pdf, " ", False, font) * (len(items) - 1))

    text, bold = parts[-1]
    while True:
        candidate = [*parts[:-1], (text + ELLIPSIS, bold)]
        if row_width(candidate) <= width + 1e-6 or not text:
            if not text and len(parts) > 1 and row_width(candidate) > width + 1e-6:
                parts.pop()
                text, bold = parts[-1]
                continue
            return candidate
        text = text[:-1]


def _width(pdf: FPDF, text: str, bold: bool, font: float) -> float:
    pdf.set_font(FONT, "B" if bold else "", font)
    return float(pdf.get_string_width(_latin1(text)))


def _latin1(text: str) -> str:
    """The PDF core fonts speak Latin-1; traits are A-Z already, labels French."""
    return text.encode("latin-1", "replace").decode("latin-1")


# -- drawing ------------------------------------------------------------------------------

def _draw_cell(pdf: FPDF, layout: CellLayout, symbol: Symbol | None,
               ox: float, oy: float) -> None:
    pdf.set_text_color(0)
    _draw_rows(pdf, layout.rows, layout.font_size, ox, oy)
    if symbol is not None and layout.code_box is not None:
        _draw_symbol(pdf, symbol, layout.code_box, layout.module, ox, oy)
        if layout.caption is not None:
            caption_font = _caption_font(pdf, layout)
            _draw_rows(pdf, (layout.caption,), caption_font, ox, oy)
    if layout.reason_box is not None:
        box = layout.reason_box
        pdf.set_draw_color(0)
        pdf.set_line_width(0.3)
        pdf.rect(ox + box.x, oy + box.y, box.w, box.h, style="D")
        _draw_rows(pdf, layout.reason_rows, layout.reason_font, ox, oy)


def _caption_font(pdf: FPDF, layout: CellLayout) -> float:
    font = CAPTION_FONT
    assert layout.caption is not None
    while font > MIN_CAPTION_FONT:
        pdf.set_font(FONT, "", font)
        if pdf.get_string_width(CAPTION) <= layout.caption.box.w + 1e-6:
            break
        font -= 0.25
    return font


def _draw_rows(pdf: FPDF, rows: tuple[Row, ...], font: float,
               ox: float, oy: float) -> None:
    for row in rows:
        x = ox + row.box.x
        for text, bold in row.parts:
            if text:
                pdf.set_font(FONT, "B" if bold else "", font)
                pdf.text(x, oy + row.baseline, _latin1(text))
            x += _width(pdf, text, bold, font) + _width(pdf, " ", bold, font)


def _draw_symbol(pdf: FPDF, symbol: Symbol, box: Box, module: float,
                 ox: float, oy: float) -> None:
    """Dark modules as rectangles, one per horizontal run (fewer, no seams inside a run)."""
    pdf.set_fill_color(0)
    x0 = ox + box.x + QUIET_MODULES * module
    y0 = oy + box.y + QUIET_MODULES * module
    for r, row in enumerate(symbol.dark):
        c = 0
        while c < symbol.cols:
            if not row[c]:
                c += 1
                continue
            start = c
            while c < symbol.cols and row[c]:
                c += 1
            pdf.rect(x0 + start * module, y0 + r * module, (c - start) * module, module,
                     style="F")
