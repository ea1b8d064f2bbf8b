"""The label formats ins-tui can print, by name (`[label] size` in the configuration).

Each format is one label of a roll (one PDF page per label, the page the size of the
label) or an A4 sheet of labels (the same label in every cell, the sheet's usual use: a
*planche* for the file). `dpi` is the usual resolution of the printers that take it:
the datamatrix modules are a whole number of printer dots, so no module comes out a dot
narrower than its neighbours (ins_tui/label/pdf.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from ins_tui.label.errors import LabelError


@dataclass(frozen=True, slots=True)
class LabelSize:
    name: str
    description_fr: str
    width: float  # mm, one label
    height: float  # mm
    dpi: int  # usual printer resolution for this stock
    columns: int = 1  # > 1: an A4 sheet of columns × rows labels
    rows: int = 1
    sheet: tuple[float, float] | None = None  # page size (mm) of a sheet; None: a roll
    sheet_margins: tuple[float, float] = (0.0, 0.0)  # left, top of the first cell (mm)

    @property
    def page(self) -> tuple[float, float]:
        return self.sheet or (self.width, self.height)

    @property
    def cells(self) -> int:
        return self.columns * self.rows

    @property
    def media(self) -> str:
        """The CUPS media name for `[label] media = "auto"`."""
        if self.sheet is not None:
            return "A4"
        return f"Custom.{_mm(self.width)}x{_mm(self.height)}mm"


def _mm(value: float) -> str:
    return f"{value:g}"


SIZES: dict[str, LabelSize] = {
    size.name: size
    for size in (
        LabelSize("dymo-89x36", "Dymo LabelWriter 99012 (89 × 36 mm)", 89.0, 36.0, 300),
        LabelSize("brother-62x29", "Brother QL, rouleau DK-11209 (62 × 29 mm)", 62.0, 29.0,
                  300),
        LabelSize("100x50", "Imprimante thermique, étiquette 100 × 50 mm", 100.0, 50.0, 203),
        LabelSize("a4-3x8", "Planche A4 de 24 étiquettes 70 × 37 mm (3 × 8)", 70.0, 37.0,
                  600, columns=3, rows=8, sheet=(210.0, 297.0), sheet_margins=(0.0, 0.5)),
    )
}
DEFAULT_SIZE = "dymo-89x36"


def size_named(name: str) -> LabelSize:
    """The format called `name` (case and spaces forgiven), else a French error naming all."""
    key = (name or DEFAULT_SIZE).strip().lower()
    if key in SIZES:
        return SIZES[key]
    known = ", ".join(SIZES)
    raise LabelError(f"Format d'étiquette « {name} » inconnu : {known} ([label] size).")
