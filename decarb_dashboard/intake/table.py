"""Assemble a raw table from a header and body of cells: name the columns, melt the short layout, note units."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from decarb_dashboard.cells import Cells
from decarb_dashboard.intake.header import header_role, total_header, year_header
from decarb_dashboard.report import IssueCollector
from uploads_schema.columns import EmissionsUnit, emissions_unit, header_unit


@dataclass
class RawTable:
    """The cells of an upload under their canonical column names, as typed.

    ``frame`` holds the return's columns (values are str, int, float or None);
    ``rows`` the spreadsheet row number of each frame row; ``layout`` is "long"
    or "short" (one row per category, figures under year or total columns,
    already melted to one row per line). ``emissions_to_tonnes`` is, per row,
    what the emissions figure is multiplied by to be in tCO2e (None: all are).
    """

    frame: pd.DataFrame
    rows: np.ndarray
    layout: str = "long"
    kind: str = "csv"
    rows_read: int = 0
    figure_column: dict[int, str] = field(default_factory=dict)
    cells: dict[str, Cells] = field(default_factory=dict)
    emissions_to_tonnes: np.ndarray | None = None

    def column_cells(self, name: str) -> Cells:
        """Return a column's cells as codes of distinct values, worked out once."""
        if name not in self.cells:
            self.cells[name] = Cells.of(self.frame, name)
        return self.cells[name]

    def subset(self, keep: np.ndarray) -> RawTable:
        """Return the table with only the rows in ``keep``."""
        new_position = np.cumsum(keep) - 1
        figure_column = {int(new_position[old]): label for old, label in self.figure_column.items() if keep[old]}
        cells = {name: Cells(c.codes[keep], c.uniques) for name, c in self.cells.items()}
        scale = None if self.emissions_to_tonnes is None else self.emissions_to_tonnes[keep]
        return RawTable(self.frame.loc[keep].reset_index(drop=True), self.rows[keep], self.layout, self.kind,
                        self.rows_read, figure_column, cells, scale)


def _is_blank(frame: pd.DataFrame, cells: dict[object, Cells] | None = None) -> np.ndarray:
    """Return a mask of the rows whose every cell is empty or white space."""
    blank = np.ones(len(frame), dtype=bool)
    for col in frame.columns:
        values = frame[col]
        if pd.api.types.is_float_dtype(values.dtype):
            blank &= values.isna().to_numpy()
        elif cells is not None and col in cells:
            blank &= cells[col].blank
        else:
            blank &= Cells.of(frame, col).blank
    return blank


def assemble(header: list, body: pd.DataFrame, header_row: int, kind: str,
              problems: IssueCollector, rows: np.ndarray | None = None) -> RawTable:
    """Name the columns, drop empty rows, melt the short layout into lines, and note the emissions' unit.

    ``rows`` are the sheet row numbers of the body's rows when they do not
    simply follow the header row.
    """
    names: dict[int, str] = {}
    year_columns: dict[int, str] = {}
    total_column: int | None = None
    unit_of: dict[int, EmissionsUnit | None] = {}  # per column of emissions: the unit its header names
    unknown: list[str] = []
    seen: dict[str, int] = {}
    for position, cell in enumerate(header):
        text = "" if cell is None else str(cell).strip()
        name = header_role(text)
        if name == "total":
            if total_column is None:
                total_column = position
                unit_of[position] = total_header(text)[1]
            continue
        if name == "year":
            year_columns[position], unit_of[position] = year_header(text)
            continue
        if name is None:
            if text:
                unknown.append(text)
            continue
        if name in seen:
            if name == "emissions_tco2e" and _unit_id(header_unit(text)) != _unit_id(unit_of[seen[name]]):
                _mixed_units(problems, header, [seen[name], position], unit_of | {position: header_unit(text)})
            else:
                problems.add("column_duplicate", column=name)
            continue
        seen[name] = position
        names[position] = name
        if name == "emissions_tco2e":
            unit_of[position] = header_unit(text)
    if unknown:
        shown = ", ".join(f"“{u[:40]}”" for u in unknown[:10])
        if len(unknown) > 10:
            shown += f" and {len(unknown) - 10} more"
        problems.add("column_unknown", columns=shown)

    keep = list(names)
    frame = body[keep] if keep else pd.DataFrame(index=body.index)  # copy-on-write: renaming leaves body as it is
    frame.columns = [names[p] for p in keep]
    rows = np.arange(len(body)) + header_row + 1 if rows is None else rows
    figure_positions = list(year_columns) + ([total_column] if total_column is not None else [])
    table = RawTable(frame, rows, "long", kind)
    named = {p: table.column_cells(names[p]) for p in keep if not pd.api.types.is_float_dtype(body[p].dtype)}
    blank = _is_blank(body[keep + figure_positions], named)
    if blank.any():
        table = table.subset(~blank)
    table.rows_read = rows_read = len(table.frame)
    frame, rows = table.frame, table.rows

    has_figures = {"emissions_tco2e", "activity_amount"} & set(frame.columns)
    if has_figures or not figure_positions:
        if "emissions_tco2e" in frame.columns:
            return _in_tonnes(table, header, [seen["emissions_tco2e"]], unit_of, problems)
        return table

    # The short layout: one row per category, a figure per year column (or one total).
    body = body.loc[~blank].reset_index(drop=True)
    if year_columns and "reporting_year" in frame.columns:
        problems.add("column_duplicate", column="reporting_year")
    parts, part_rows, labels = [], [], []
    for position in figure_positions:
        # A blank cell under a year is a line that was not in that year's table: no line, not zero.
        filled = ~_is_blank(body[[position]])
        part = frame.loc[filled].copy()
        part["emissions_tco2e"] = body.loc[filled, position].to_numpy()
        if position in year_columns:
            part["reporting_year"] = year_columns[position]
        parts.append(part)
        part_rows.append(rows[filled])
        labels += [str(header[position])] * int(filled.sum())
    melted = RawTable(pd.concat(parts, ignore_index=True), np.concatenate(part_rows), "short", kind, rows_read,
                      dict(enumerate(labels)))
    return _in_tonnes(melted, header, figure_positions, unit_of, problems)


def _unit_id(unit: EmissionsUnit | None) -> str:
    return "tCO2e" if unit is None else unit.id  # a header that names no unit gives tonnes, as the return asks


def _mixed_units(problems: IssueCollector, header: list, positions: list[int],
                 unit_of: dict[int, EmissionsUnit | None]) -> None:
    shown = ", ".join(f"“{str(header[p]).strip()[:40]}” ({_unit_id(unit_of[p])})" for p in positions[:10])
    problems.add("emissions_units_mixed", columns=shown)


def _in_tonnes(table: RawTable, header: list, positions: list[int], unit_of: dict[int, EmissionsUnit | None],
               problems: IssueCollector) -> RawTable:
    """Say what each row's emissions figure is multiplied by to be in tCO2e, with a warning per unit converted.

    The unit comes from the headers of the figures' columns (``positions``) or, when there is no
    activity amount, from a units cell ("kgCO2e") beside the figure. Columns in different units,
    or a units cell that contradicts its header, are an error.
    """
    if len({_unit_id(unit_of[p]) for p in positions}) > 1:
        _mixed_units(problems, header, positions, unit_of)
        return table
    header_unit_ = unit_of[positions[0]]
    scale = np.full(len(table.frame), 1.0 if header_unit_ is None else header_unit_.to_tonnes)
    converted: dict[str, EmissionsUnit] = {} if header_unit_ is None else {header_unit_.id: header_unit_}
    if "activity_unit" in table.frame.columns and "activity_amount" not in table.frame.columns:
        cells = table.column_cells("activity_unit")
        in_cells = [emissions_unit(u) for u in cells.uniques]
        if in_cells and all(in_cells):  # a units cell of emissions units: the unit of each row's figure
            explicit = {u.id for u in in_cells} | ({header_unit_.id} if header_unit_ is not None else set())
            if len(explicit) > 1 and header_unit_ is not None:
                _mixed_units(problems, header, positions, unit_of)
                return table
            per_cell = np.array([u.to_tonnes for u in in_cells] + [np.nan])[cells.codes]
            scale = np.where(cells.blank, scale, per_cell)
            converted |= {u.id: u for u in in_cells}
            table.frame = table.frame.drop(columns="activity_unit")
            table.cells.pop("activity_unit", None)
    converted.pop("tCO2e", None)
    if not converted:
        return table
    shown = ", ".join(f"“{str(header[p]).strip()[:40]}”" for p in positions[:10])
    for unit in converted.values():
        problems.add("emissions_converted", columns=shown, unit=unit.id, conversion_en=unit.conversion_en,
                     conversion_cy=unit.conversion_cy)
    table.emissions_to_tonnes = scale
    return table
