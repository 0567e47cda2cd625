"""The validation report: what an upload check found, ready for a person or a program.

Shaped like frictionless-py's report: a summary first (valid or not, counts by
kind), then each problem with its row, column, the offending value, a plain
title, a message and how to fix it. ``to_dict`` is the stable JSON form shared
by the CLI and the web page; its ``schema_version`` changes if its shape does.
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from decarb_dashboard import reasons
from uploads_schema import i18n, messages
from uploads_schema.columns import columns
from uploads_schema.projects import project_columns

REPORT_SCHEMA_VERSION = 1
#: Problems of one kind listed in full; the rest are counted. A million bad
#: rows must not make a million messages.
MAX_LISTED_PER_CODE = 200
MAX_VALUE_CHARS = 120
#: Rows with errors kept in the report as the user typed them, to show beside the problems.
ERROR_ROWS_KEPT = 50


def say(key: str, lang: str = "en", **params: object) -> str:
    """Return ``key`` of the ``cli`` domain (what ``decarb`` prints for people) in ``lang``, placeholders filled.

    A counted message takes the form of its count in ``lang`` (``report_error_count``, count=3); an error or
    a reason among ``params`` (a :class:`decarb_dashboard.reasons.ReasonError`) is said in ``lang`` too.
    """
    return i18n.gettext("cli", key, lang, **{k: reasons.said(v, lang) for k, v in params.items()})


@functools.cache
def _column_headers(name: str, langs: tuple[str, ...]) -> dict[str, str]:
    spec = next((c for c in (*columns(), *project_columns()) if c.name == name), None)
    return {} if spec is None else {f"column_{lang}": spec.header(lang) for lang in langs}


def column_headers(name: str | None) -> dict[str, str]:
    """``{column_<lang>: header}`` of a declared column, for a message to name it in its reader's language."""
    return _column_headers(name, i18n.languages()) if name else {}


def _header(name: str, lang: str) -> str:
    """The header of column ``name`` in ``lang`` (a column of the file's own, e.g. a year's figures: as it is)."""
    return column_headers(name).get(f"column_{lang}", name)


def _shorten(value: object) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    text = str(value)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


@dataclass(frozen=True)
class Issue:
    """One problem: a code from the message catalogue, where it is, and the values for its message."""

    code: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def severity(self) -> str:
        return messages.severity(self.code)

    def _params(self) -> dict[str, Any]:
        return {"value": self.value, "column": self.column, "row": self.row,
                **column_headers(self.column), **self.params}

    def title(self, lang: str = "en") -> str:
        return messages.render(self.code, "title", self._params(), lang)

    def message(self, lang: str = "en") -> str:
        return messages.render(self.code, "message", self._params(), lang)

    def fix(self, lang: str = "en") -> str:
        return messages.render(self.code, "fix", self._params(), lang)

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "code": self.code,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "title": self.title(lang),
            "message": self.message(lang),
            "fix": self.fix(lang),
        }


class IssueCollector:
    """Gathers problems, counting every one but listing at most ``MAX_LISTED_PER_CODE`` of a kind."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.listed: list[Issue] = []

    def add(self, code: str, row: int | None = None, column: str | None = None,
            value: object = None, **params: Any) -> None:
        self.counts[code] += 1
        if self.counts[code] <= MAX_LISTED_PER_CODE:
            self.listed.append(Issue(code, row, column, _shorten(value), params))

    def add_many(self, code: str, count: int, issues) -> None:
        """Count ``count`` problems of ``code``; ``issues`` lazily yields the Issue of each, in order."""
        room = max(0, MAX_LISTED_PER_CODE - self.counts[code])
        self.counts[code] += count
        for _, issue in zip(range(room), issues, strict=False):
            self.listed.append(issue)

    def extend(self, other: IssueCollector) -> None:
        for issue in other.listed:
            self.listed.append(issue)
        self.counts.update(other.counts)

    def has_errors(self) -> bool:
        return any(messages.severity(code) == "error" for code in self.counts)


@dataclass
class ValidationReport:
    """The result of checking one upload.

    ``lines`` is the cleaned long-format table when the upload is valid, else
    None. It is built to keep the :class:`uploads_schema.models.ReturnLines`
    contract, which the store enforces when the lines are submitted (and the
    tests check for every valid report). ``organisations`` maps the ids of the
    bodies covered to their English names; ``reporting_years`` lists the
    financial years covered ("2022-23"). ``error_rows`` holds the first
    ``ERROR_ROWS_KEPT`` rows with an error as typed: a ``row`` column (the
    spreadsheet's row number), then the return's columns (not in the JSON form).
    """

    file_name: str | None
    issues: list[Issue]
    counts: dict[str, int]
    rows_read: int = 0
    layout: str | None = None
    organisations: dict[str, str] = field(default_factory=dict)
    reporting_years: list[str] = field(default_factory=list)
    lines: pd.DataFrame | None = None
    line_count: int = 0
    error_rows: pd.DataFrame | None = None
    #: {lang: {id: name}}: the bodies' names in each language, for the text in the reader's language.
    organisation_names: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def readable(self) -> bool:
        """False when the file could not be read at all (not a spreadsheet, corrupt, too large...)."""
        return self.layout is not None

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    def _counts(self, severity: str) -> dict[str, int]:
        return {c: n for c, n in sorted(self.counts.items()) if messages.severity(c) == severity}

    @property
    def error_count(self) -> int:
        return sum(self._counts("error").values())

    @property
    def warning_count(self) -> int:
        return sum(self._counts("warning").values())

    @property
    def valid(self) -> bool:
        return self.error_count == 0 and self.lines is not None

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        """Return the report's stable JSON form (see ``docs/validation-report.md``)."""
        errors, warnings = self.errors, self.warnings
        return {
            "schema_version": REPORT_SCHEMA_VERSION,
            "valid": self.valid,
            "file": self.file_name,
            "summary": {
                "layout": self.layout,
                "rows_read": self.rows_read,
                "lines": self.line_count,
                "organisations": [{"id": k, "name": v} for k, v in self.organisations.items()],
                "reporting_years": self.reporting_years,
                "error_count": self.error_count,
                "warning_count": self.warning_count,
                "errors_by_code": self._counts("error"),
                "warnings_by_code": self._counts("warning"),
                "errors_not_listed": self.error_count - len(errors),
                "warnings_not_listed": self.warning_count - len(warnings),
            },
            "errors": [i.to_dict(lang) for i in errors],
            "warnings": [i.to_dict(lang) for i in warnings],
        }

    def to_json(self, lang: str = "en", indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(lang), ensure_ascii=False, indent=indent)

    def to_text(self, lang: str = "en") -> str:
        """Return the report as plain text for a terminal: summary first, then each problem."""
        d = self.to_dict(lang)
        s = d["summary"]
        out: list[str] = []
        name = d["file"] or say("report_the_upload", lang)
        if d["valid"]:
            if self.layout == "projects":
                out.append(say("report_valid_projects", lang, name=name, count=s["lines"]))
            else:
                out.append(say("report_valid", lang, name=name, count=s["lines"]))
        else:
            out.append(say("report_problem", lang, name=name,
                           errors=say("report_error_count", lang, count=s["error_count"]),
                           warnings=say("report_warning_count", lang, count=s["warning_count"])))
        if s["organisations"]:
            names = self.organisation_names.get(i18n.language(lang), {})
            out.append(say("report_organisations", lang,
                           names=", ".join(names.get(o["id"], o["name"]) for o in s["organisations"])))
        if s["reporting_years"]:
            out.append(say("report_years", lang, years=", ".join(s["reporting_years"])))
        for heading, items, hidden in ((say("report_errors", lang), d["errors"], s["errors_not_listed"]),
                                       (say("report_warnings", lang), d["warnings"], s["warnings_not_listed"])):
            if not items:
                continue
            out.append("")
            out.append(heading)
            for item in items:
                where = ", ".join(p for p in (
                    say("report_row", lang, row=item["row"]) if item["row"] else "",
                    say("report_column", lang, column=_header(item["column"], lang)) if item["column"] else "") if p)
                out.append(f"- {where + ': ' if where else ''}{item['message']}")
                out.append(say("report_fix", lang, fix=item["fix"]))
            if hidden:
                out.append(say("report_not_listed", lang, count=hidden))
        return "\n".join(out)
