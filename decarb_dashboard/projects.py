"""Check an uploaded net zero projects file (issue 18) and turn it into checked project lines.

The projects file is read as a return is (:func:`decarb_dashboard.intake.read_upload`: every guard
against broken and hostile files), its headers named by the projects contract
(:mod:`uploads_schema.projects`), and its rows checked with the return's rules where they are the
same (body, category, source) and the rules of its own below. Every problem is reported at once,
with row, column, value and fix, in the report the return's check gives
(:class:`decarb_dashboard.report.ValidationReport`; its ``lines`` are the projects).
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from decarb_dashboard import checks, config, years
from decarb_dashboard.cells import Terms
from decarb_dashboard.intake import RawTable, read_upload
from decarb_dashboard.matcher import matcher_for
from decarb_dashboard.numbers import K_INVALID, K_NOT_FINITE, ParsedNumbers, parse_column
from decarb_dashboard.registry import load_registry
from decarb_dashboard.report import Issue, IssueCollector, ValidationReport
from decarb_dashboard.validate import _error_rows
from uploads_schema import i18n
from uploads_schema.i18n import languages
from uploads_schema.projects import (
    PROJECT_COLUMNS,
    match_project_header,
    project_column,
    project_status_index,
    project_statuses,
    start_year_range,
)
from uploads_schema.vocabulary import vocabulary

log = logging.getLogger(__name__)

#: The most rows a projects file may have: a body's plan has tens of projects, and its rules run per row.
MAX_PROJECT_ROWS = 5_000


def assemble_projects(header: list, body: pd.DataFrame, header_row: int, kind: str, problems: IssueCollector,
                      rows: np.ndarray | None = None) -> RawTable:
    """Name the projects file's columns (English or Welsh headers, aliases) and drop its empty rows."""
    names: dict[int, str] = {}
    unknown: list[str] = []
    for position, cell in enumerate(header):
        text = "" if cell is None else str(cell).strip()
        name = match_project_header(text)
        if name is None:
            if text:
                unknown.append(text)
        elif name in names.values():
            problems.add("column_duplicate", column=name)
        else:
            names[position] = name
    if unknown:
        problems.add("projects_column_unknown", columns=", ".join(f"“{u[:40]}”" for u in unknown[:10]))
    keep = list(names)
    frame = body[keep] if keep else pd.DataFrame(index=body.index)
    frame.columns = [names[p] for p in keep]
    rows = np.arange(len(body)) + header_row + 1 if rows is None else rows
    table = RawTable(frame, rows, "long", kind)
    blank = np.ones(len(frame), dtype=bool)
    for name in frame.columns:
        blank &= table.column_cells(name).blank
    if blank.any():
        table = table.subset(~blank)
    table.rows_read = len(table.frame)
    return table


def _numbers(table: RawTable, name: str, flags: checks.Flags) -> ParsedNumbers:
    """Parse a figures column (blank is no figure, never zero); a cell that is no number is an error."""
    cells = table.frame[name] if name in table.frame.columns else pd.Series(np.full(len(table.frame), np.nan))
    parsed = parse_column(cells.astype(object), {})
    flags.flag("project_number_invalid", (parsed.kind == K_INVALID) | (parsed.kind == K_NOT_FINITE), name)
    return parsed


def _start_years(table: RawTable, flags: checks.Flags) -> Terms:
    """Return each row's start year ("2025-26"), accepted within :func:`start_year_range`."""
    cells = table.column_cells("start_year")
    flags.flag("start_year_missing", cells.blank, "start_year")
    labels = checks.financial_years(cells, flags, "start_year")
    first, last = start_year_range()
    out = labels.where(lambda label: not first <= years.start_of(label) <= last)
    flags.flag("start_year_out_of_range", out, "start_year", value=labels.at,
               params={"first": years.label(first), "last": years.label(last)})
    labels.drop(out)
    return labels


def _statuses(table: RawTable, flags: checks.Flags) -> Terms:
    cells = table.column_cells("status")
    ids, unknown = cells.resolve(project_status_index().resolve)
    allowed = checks.in_each_language(
        "allowed", lambda lang: ", ".join(t.name(lang) for t in project_statuses().values()))
    flags.flag("project_status_missing", cells.blank, "status", params=allowed)
    flags.flag("project_status_unknown", unknown, "status", params=lambda i: {
        **allowed, **checks.suggested(project_status_index().suggest_id(cells.at(i)),
                                      lambda t, lang: project_statuses()[t].name(lang))})
    return ids


def _names(table: RawTable, org: Terms, flags: checks.Flags) -> list[str | None]:
    """Return each row's project name (stripped); a blank one, or one a body names twice, is an error."""
    cells = table.column_cells("project")
    flags.flag("project_missing", cells.blank, "project")
    names = [None if c < 0 else str(cells.uniques[c]).strip() for c in cells.codes]
    folded = pd.Series([None if n is None or o is None else (o, n.casefold()) for n, o in
                        zip(names, (org.at(i) for i in range(len(names))), strict=True)], dtype=object)
    twice = folded.notna() & folded.duplicated(keep=False)
    flags.flag("project_duplicate", twice.to_numpy(), "project")
    return names


def _figures(table: RawTable, category: Terms, source: Terms, flags: checks.Flags) -> tuple[np.ndarray, ...]:
    """Return (saving tCO2e a year, activity change a year, its unit id, cost GBP) per row, NaN/None when not given."""
    vocab = vocabulary()
    saving, change, cost = (_numbers(table, name, flags) for name in ("saving_tco2e", "activity_change", "cost_gbp"))
    has_saving, has_change = ~np.isnan(saving.values), ~np.isnan(change.values)
    typed = ~table.column_cells("saving_tco2e").blank | ~table.column_cells("activity_change").blank
    flags.flag("saving_and_change", has_saving & has_change, "saving_tco2e")
    flags.flag("saving_missing", ~typed, "saving_tco2e")
    flags.flag("saving_not_positive", has_saving & (saving.values <= 0), "saving_tco2e")
    flags.flag("cost_negative", cost.values < 0, "cost_gbp")

    cells = table.column_cells("activity_unit")
    unit, unknown = cells.resolve(vocab.unit_index.resolve)
    flags.flag("unit_unknown", unknown, "activity_unit", params=lambda i: {
        "allowed": ", ".join(vocab.units), **checks.suggested(vocab.unit_index.suggest_id(cells.at(i)),
                                                              lambda t, lang: vocab.units[t].name(lang))})

    def allowed(i: int) -> tuple[str, ...]:
        cat = category.at(i)
        return tuple(vocab.units) if cat is None else checks.allowed_units_for(vocab, str(cat), source.at(i))

    def what(i: int, lang: str) -> str:
        cat, src = str(category.at(i)), source.at(i)
        name = vocab.categories[cat].name(lang)
        return name if src is None else i18n.gettext("messages", "source_in_category", lang,
                                                     source=vocab.sources[(cat, src)].name(lang), category=name)

    given = np.array([unit.at(i) is not None for i in range(len(table.frame))], dtype=bool)
    not_allowed = np.array([given[i] and category.at(i) is not None and unit.at(i) not in allowed(i)
                            for i in range(len(table.frame))], dtype=bool)
    flags.flag("unit_not_allowed", not_allowed, "activity_unit", value=unit.at, params=lambda i: {
        **checks.in_each_language("what", lambda lang: what(i, lang)), "allowed": ", ".join(allowed(i))})
    flags.flag("change_without_unit", has_change & cells.blank, "activity_change",
               params=lambda i: {"allowed": ", ".join(allowed(i))})
    flags.flag("unit_without_change", ~cells.blank & ~has_change & ~unknown, "activity_unit")
    units = np.array([unit.at(i) for i in range(len(table.frame))], dtype=object)
    return saving.values, change.values, units, cost.values


def check_projects(table: RawTable, problems: IssueCollector | None = None, *, organisation: str | None = None,
                   registry: pd.DataFrame | None = None, file_name: str | None = None) -> ValidationReport:
    """Apply every rule of the projects contract to a raw table and return the report.

    ``organisation`` (a register id) is the body chosen on the upload page or command line: it fills
    blank cells, and projects of any other body are errors. A valid report's ``lines`` are the projects
    in the columns of :data:`uploads_schema.projects.PROJECT_COLUMNS`.
    """
    problems = problems or IssueCollector()
    matcher = matcher_for(registry if registry is not None else load_registry(config.data_dir()))
    flags = checks.Flags(table, problems)
    for name in ("project", "category", "status", "start_year"):
        if name not in table.frame.columns:
            problems.add("column_missing", column=name,
                         **checks.in_each_language("description", project_column(name).description))
    if not problems.has_errors() and len(table.frame) == 0:
        problems.add("no_projects")
    if problems.has_errors():
        return _report(file_name, problems, table, None, matcher)
    vocab = vocabulary()
    cells = table.column_cells
    org = (checks.organisations(cells("organisation"), flags, matcher, organisation)
           if flags.require("organisation", organisation) else Terms.empty(len(table.frame)))
    names = _names(table, org, flags)
    cat = checks.categories(cells("category"), flags, vocab)
    src, _kinds = checks.sources(cells("source"), cat, flags, vocab)
    status = _statuses(table, flags)
    start = _start_years(table, flags)
    saving, change, unit, cost = _figures(table, cat, src, flags)
    notes = [None if c < 0 else str(cells("notes").uniques[c]).strip() or None for c in cells("notes").codes]
    n = len(table.frame)
    projects = pd.DataFrame({
        "organisation_id": [org.at(i) for i in range(n)], "project": names,
        "category": [cat.at(i) for i in range(n)], "source": [src.at(i) for i in range(n)],
        "status": [status.at(i) for i in range(n)], "start_year": [start.at(i) for i in range(n)],
        "saving_tco2e": saving, "activity_change": change, "activity_unit": unit, "cost_gbp": cost, "notes": notes,
    }, columns=PROJECT_COLUMNS, dtype=object)  # text stays str or None (not NaN: not reported is not a value)
    for name in ("saving_tco2e", "activity_change", "cost_gbp"):
        projects[name] = projects[name].astype(float)
    return _report(file_name, problems, table, projects, matcher)


def _report(file_name: str | None, problems: IssueCollector, table: RawTable, projects: pd.DataFrame | None,
            matcher) -> ValidationReport:
    valid = projects is not None and not problems.has_errors()
    bodies = sorted({str(o) for o in projects["organisation_id"].dropna()}) if projects is not None else []
    ordered = sorted(problems.listed, key=lambda i: (i.row is not None, i.row or 0))
    return ValidationReport(
        file_name=file_name, issues=ordered, counts=dict(problems.counts), rows_read=table.rows_read,
        layout="projects", organisations={b: matcher.name(b) for b in bodies},
        organisation_names={lang: {b: matcher.name(b, lang) for b in bodies} for lang in languages()},
        lines=projects if valid else None, line_count=0 if projects is None else len(projects),
        error_rows=_error_rows(table, ordered))


def validate_projects_upload(data: bytes, file_name: str | None = None, *, organisation: str | None = None,
                             registry: pd.DataFrame | None = None, max_bytes: int | None = None) -> ValidationReport:
    """Read and check a projects file's bytes; never raises for bad input (see :func:`check_projects`)."""
    try:
        table, problems = read_upload(data, max_bytes=max_bytes, max_rows=MAX_PROJECT_ROWS,
                                      assemble=assemble_projects)
        if table is None:
            return ValidationReport(file_name, problems.listed, dict(problems.counts))
        return check_projects(table, problems, organisation=organisation, registry=registry, file_name=file_name)
    except Exception:  # a fault of ours must not become the user's traceback
        log.exception("internal error while validating projects %s", file_name)
        problems = IssueCollector()
        problems.add("internal_error")
        return ValidationReport(file_name, problems.listed, dict(problems.counts))


def validate_projects_file(path: str | Path, **kwargs) -> ValidationReport:
    """Read and check the projects file at ``path``; see :func:`validate_projects_upload`."""
    path = Path(path)
    return validate_projects_upload(path.read_bytes(), path.name, **kwargs)


__all__ = ["Issue", "assemble_projects", "check_projects", "validate_projects_file", "validate_projects_upload"]
