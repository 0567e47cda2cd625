"""Regenerate the shipped factor table, ``data/factors.csv``, from the official flat files.

Run ``python -m decarb_dashboard.build_factors [DIRECTORY]`` (default: the shared reference
pack's ``uk_ghg_flat_files/``). Every activity of ``data/factor_map.csv`` is taken from every
set that has it, exactly as :func:`decarb_dashboard.factors.read_flat_file` reads it for
``decarb factors import``; each row names the file it came from. A test checks the shipped
table is what this script makes of the seven files.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from decarb_dashboard.factors import FACTOR_COLUMNS, read_flat_file, write_factor_table

FLAT_FILES = Path(__file__).resolve().parents[2] / "shared" / "reference" / "uk_ghg_flat_files"
SHIPPED = Path(__file__).resolve().parent / "data" / "factors.csv"


def build(directory: Path = FLAT_FILES) -> tuple[pd.DataFrame, dict[int, list[str]]]:
    """Return (the factor table of every flat file in ``directory``, per set year the activities it lacks)."""
    tables, missing = [], {}
    for path in sorted(p for p in directory.iterdir() if p.suffix.lower() in (".xls", ".xlsx")):
        result = read_flat_file(path.read_bytes(), path.name)
        if result.factor_year in missing:
            raise ValueError(f"two flat files for {result.factor_year} in {directory}")
        tables.append(result.imported)
        missing[result.factor_year] = result.missing
    if not tables:
        raise ValueError(f"no .xls or .xlsx flat files in {directory}")
    table = pd.concat(tables).sort_values(["activity", "unit", "factor_year"], kind="stable")
    return table[FACTOR_COLUMNS].reset_index(drop=True), missing


def main(argv: list[str] | None = None) -> int:
    """Write ``data/factors.csv`` from the flat files; print what each set lacks."""
    args = sys.argv[1:] if argv is None else argv
    directory = Path(args[0]) if args else FLAT_FILES
    table, missing = build(directory)
    write_factor_table(table, SHIPPED)
    print(f"wrote {len(table)} factors for {table['factor_year'].nunique()} sets to {SHIPPED}")
    for year, lacking in sorted(missing.items()):
        if lacking:
            print(f"  the {year} set has no factor for: " + "; ".join(lacking))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
