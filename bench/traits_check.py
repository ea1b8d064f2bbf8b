"""Cost of the trait rules per keystroke-validated form, and of loading the COG tables.

The desk re-checks the whole form as the secretary types, so `check_traits` must stay far
below a frame (16 ms). Figures are printed as ratios against baselines run in the same
process: a naive uppercase-and-strip of the same fields, and a bare `csv.reader` pass over
the same table files.
"""

from __future__ import annotations

import csv
import statistics
import time
from datetime import date

from _timing import median_us

from ins_tui.domain.traits import TraitsInput, check_traits
from ins_tui.paths import data_file
from ins_tui.refdata import CogTables, load_cog

FORMS = [
    TraitsInput("d'Artagnan de l’Hérault", "Pierre-Alain Muriel", "m", "14/07/2009", "63220"),
    TraitsInput("Cœur", "Hélène Zoé", "F", "00/00/1950", "2A004", used_name="Martin"),
    TraitsInput("DUPONT2", "Marie--Anne", "X", "31/02/2000", "7501"),
    TraitsInput("ECETINSI", "PIERRE-ALAIN MURIEL FLORIANT", "M", "2009-07-14", "99132"),
]
ROUNDS = 2000



def main() -> None:
    cog = load_cog()
    today = date(2025, 3, 14)

    def naive() -> None:
        for form in FORMS:
            for value in (form.birth_name, form.first_names, form.sex, form.birth_date):
                value.strip().upper()

    def rules() -> None:
        for form in FORMS:
            check_traits(form, cog=cog, today=today)

    base = median_us(naive, ROUNDS)
    real = median_us(rules, ROUNDS)
    per_form = real / len(FORMS)
    print(
        f"check_traits: {per_form:.1f} µs/form; baseline strip+upper {base / len(FORMS):.2f} "
        f"µs/form; ratio {real / base:.0f}×"
    )

    directory = data_file("cog")

    def raw_csv() -> None:
        for name in ("communes.csv", "pays.csv", "departements.csv"):
            with (directory / name).open(encoding="utf-8", newline="") as fh:
                for _ in csv.reader(fh):
                    pass

    samples_raw, samples_load = [], []
    for _ in range(5):
        start = time.perf_counter()
        raw_csv()
        samples_raw.append(time.perf_counter() - start)
        start = time.perf_counter()
        CogTables.from_dir(directory)
        samples_load.append(time.perf_counter() - start)
    raw_ms = statistics.median(samples_raw) * 1e3
    load_ms = statistics.median(samples_load) * 1e3
    print(
        f"COG tables load: {load_ms:.0f} ms; baseline csv.reader {raw_ms:.0f} ms; "
        f"ratio {load_ms / raw_ms:.1f}×"
    )


if __name__ == "__main__":
    main()
