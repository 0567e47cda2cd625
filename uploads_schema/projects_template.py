"""The projects file's templates (issue 18), made by the return's machinery (:mod:`uploads_schema.template`) from
the projects contract: a CSV and an Excel file with drop-down lists (status, category, source, unit) whose every
value the check accepts, prompts in plain words, a sheet explaining every column; in English or Welsh.

Pre-filled with a body's current projects (:func:`project_rows`) or with :data:`EXAMPLE_PROJECTS`, three
projects of different status that pass the check as they are.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from uploads_schema.i18n import gettext
from uploads_schema.projects import project_columns, project_statuses
from uploads_schema.template import Contract, drop_down_values, xlsx_template
from uploads_schema.vocabulary import vocabulary

#: The example projects (ids of the vocabularies; figures in their units): LED street lighting saving
#: 1,200,000 kWh of electricity a year from 2025-26, a planned fleet change of 85.5 tCO2e a year, a heat
#: pump project completed in 2023-24. Illustrative figures, not any body's.
EXAMPLE_PROJECTS = (
    {"project": "LED street lighting", "category": "street_lighting", "source": "electricity", "status": "planned",
     "start_year": "2025-26", "activity_change": -1200000, "activity_unit": "kWh", "cost_gbp": 450000},
    {"project": "Fleet electrification", "category": "fleet", "status": "tentative", "start_year": "2026-27",
     "saving_tco2e": 85.5},
    {"project": "Heat pumps at the main office", "category": "buildings", "source": "natural_gas",
     "status": "completed", "start_year": "2023-24", "saving_tco2e": 120},
)


def _drop_downs(lang: str) -> dict[str, list[str]]:
    returns = drop_down_values(lang)
    return {"status": [s.name(lang) for s in project_statuses().values()], "category": returns["category"],
            "source": returns["source"], "activity_unit": returns["activity_unit"]}


def _examples(lang: str) -> dict[str, str]:
    v = vocabulary()
    return {"status": project_statuses()["planned"].name(lang), "category": v.categories["buildings"].name(lang),
            "source": v.sources[("buildings", "natural_gas")].name(lang), "activity_unit": "kWh"}


PROJECTS = Contract(project_columns, _drop_downs, _examples)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def project_row(project: Mapping[str, object], organisation: str, lang: str = "en") -> list[object]:
    """Return one project as a template row in ``lang``: vocabulary ids as their names, figures as they are."""
    v = vocabulary()
    cat, src, status = project.get("category"), project.get("source"), project.get("status")
    named = {
        "organisation": organisation,
        "category": v.categories[str(cat)].name(lang) if not _blank(cat) else None,
        "source": v.sources[(str(cat), str(src))].name(lang) if not _blank(src) else None,
        "status": project_statuses()[str(status)].name(lang) if not _blank(status) else None,
    }
    row = [named.get(c.name, project.get(c.name)) for c in project_columns()]
    # A whole number stays whole (1200000, not 1200000.0): the file is for people to edit.
    return [None if _blank(x) else int(x) if isinstance(x, float) and x.is_integer() else x for x in row]


def example_rows(organisation: str, lang: str = "en") -> list[list[object]]:
    """Return :data:`EXAMPLE_PROJECTS` as template rows for ``organisation`` (a name), in ``lang``."""
    return [project_row(p, organisation, lang) for p in EXAMPLE_PROJECTS]


def project_rows(projects: pd.DataFrame, organisation: str, lang: str = "en") -> list[list[object]]:
    """Return a body's projects (``Store.current_projects``) as template rows, ``organisation`` its name."""
    return [project_row(p, organisation, lang) for p in projects.to_dict("records")]


def csv_projects_template(rows: Iterable[Sequence[object]] = (), lang: str = "en") -> bytes:
    """Return a CSV projects file (UTF-8 with a byte order mark): the header in ``lang``, then ``rows``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.header(lang) for c in project_columns()])
    for row in rows:
        writer.writerow(["" if _blank(v) else v for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_projects_template(rows: Iterable[Sequence[object]] = (), lang: str = "en", current: bool = False) -> bytes:
    """Return an Excel projects file in ``lang`` with ``rows`` (the body's ``current`` projects, or examples)."""
    guidance = gettext("messages", "template_guide_projects_current" if current else
                       "template_guide_projects_example", lang)
    return xlsx_template(rows, lang, guidance, contract=PROJECTS,
                         sheet=gettext("messages", "template_sheet_projects", lang))


def projects_template_file_name(extension: str, lang: str, body: str | None = None) -> str:
    """``cardiff-projects-template-cy.xlsx``; ``projects-template-en.csv`` without a body."""
    return "-".join(p for p in (body, "projects-template", lang) if p) + f".{extension}"


def projects_markdown() -> str:
    """Return the projects file's format documentation (``docs/projects-format.md``) as Markdown."""
    from uploads_schema.projects import start_year_range
    from uploads_schema.template import _REQUIRED_TEXT

    first, last = start_year_range()
    lines = [
        "# Net zero projects: upload format",
        "",
        "Generated by `decarb projects template --format md` from `uploads_schema/projects_columns.toml` and",
        "`uploads_schema/vocabulary/project_statuses.csv`. Do not edit by hand.",
        "",
        "One row per project of a body's net zero action plan. Headers are matched as in the annual return",
        "(ignoring case, spaces and punctuation; English or Welsh; the aliases below); column order is free.",
        "CSV and Excel `.xlsx` are accepted, with the return's guards against broken files. Categories,",
        "sources and units are the return's (see [upload-format.md](upload-format.md)), in English or Welsh.",
        "",
        "## Columns",
        "",
        "| column | Welsh header | required | example | meaning |",
        "|---|---|---|---|---|",
    ]
    for spec in project_columns():
        aliases = f" Also accepted as: {', '.join(spec.aliases)}." if spec.aliases else ""
        lines.append(f"| `{spec.name}` | `{spec.header_cy}` | {_REQUIRED_TEXT[spec.required][0]} | {spec.example} | "
                     f"{spec.description_en}{aliases} |")
    lines += ["", "## Statuses", "", "| status | Welsh | also understood |", "|---|---|---|"]
    for s in project_statuses().values():
        lines.append(f"| {s.name_en} | {s.name_cy} | {', '.join(s.aliases)} |")
    lines += [
        "", "## Rules", "",
        "Every problem is reported at once, with its row, column and how to fix it, in English and Welsh.", "",
        "- Each project gives **either** `saving_tco2e` (tonnes CO2e a year, above zero) **or** `activity_change`",
        "  with its `activity_unit` (signed: -1200000 kWh of electricity is 1,200,000 kWh less a year), never",
        "  both and never neither. A unit must be one the source (or, without a source, the category) allows.",
        "- A source must belong to its category, as in the return.",
        f"- `start_year` is a financial year from {years_label(first)} to {years_label(last)} (the range is",
        "  `[years]` in `projects_columns.toml`, a choice of this service: the 2019-20 baseline to 2050-51).",
        "- `cost_gbp`, when given, is 0 or more. A figure left blank is not given, never zero.",
        "- A body names each project once (names compared ignoring case).",
        "- `organisation` is resolved through the register as in the return; where a body is chosen (the",
        "  upload page, `--org`) a blank cell is that body and any other body is an error.",
        "", "## Storing", "",
        "`decarb projects submit FILE [--org BODY] [--as USER]` stores a valid file as a new projects",
        "submission (who, when, the file's name and SHA-256, an audit entry). The latest submission with a",
        "body's projects is its current projects (`decarb projects list --org BODY [--json]`); earlier ones",
        "are kept as its history. Nothing is ever changed or deleted.",
        "", "## Templates", "",
        "`decarb projects template --format csv|xlsx [--org BODY] [--lang cy]` writes the body's current",
        "projects, or three example projects (planned, tentative, completed) that pass the check as they are.",
        "The Excel one has drop-down lists for status, category, source and unit in the template's language",
        "(the check accepts either language's names), prompts in plain words and a sheet explaining every",
        "column.", ""]
    return "\n".join(lines)


def years_label(start: int) -> str:
    """2019 -> "2019-20"."""
    return f"{start}-{(start + 1) % 100:02d}"
