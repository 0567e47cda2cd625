"""The open data: every current return and every stored version, with a data dictionary, the licence and coverage.

What ``decarb export`` writes and the ``/data`` page serves, from one place:

- :func:`current_returns` and :func:`all_versions`: the published lines (``DECARB_PUBLISH=accepted``: accepted
  returns only, as on the public pages and in the API), each with its submission's reference, version number,
  time, review status and whether it is the current version;
- :func:`dictionary`: every column of every file, the contract's from ``uploads_schema/columns.toml``
  (:func:`decarb_dashboard.export.data_dictionary`), the others' words in the ``web`` catalogue (``data_col_*``);
- :func:`coverage`: the all-Wales coverage of each year (:func:`decarb_dashboard.export.coverage_table`);
- :func:`about_text`: the licence (``config.data_licence``), its attribution and what the files hold;
- the files: CSV (with the dictionary, coverage and about text beside it), Excel (the same as sheets), Parquet
  (the same in the file's metadata, each column's description on its field) and a zip of the CSVs.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from decarb_dashboard import config, export
from decarb_dashboard.engine import Engine
from decarb_dashboard.matcher import matcher_for
from decarb_dashboard.store import LINES_SCHEMA, SubmissionStore
from decarb_dashboard.web.controls import service_owner
from decarb_dashboard.web.i18n import t
from uploads_schema.vocabulary import vocabulary

#: The two exports: every current return, and every stored version (superseded and withdrawn ones too).
KINDS = ("current", "versions")
#: What each export's files are called (before the date, language and extension).
FILE_STEMS = {"current": "returns-current", "versions": "returns-all-versions"}
#: The formats of one export; ``zip`` is everything as CSV with the dictionary, coverage and licence.
FORMATS = (*export.FORMATS, "zip")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
    "zip": "application/zip",
    "txt": "text/plain; charset=utf-8",
}
#: The submission's and version's columns each exported line carries after the line's own.
VERSION_FIELDS = ["reference", "version_number", "submitted_at", "submission_status", "version_state"]
VERSION_STATES = ("current", "superseded", "withdrawn")
#: The columns of the exports that are not the contract's, with their kind and the values they may take.
#: Their descriptions are ``data_col_<column>`` in the ``web`` catalogue. ``organisation_id`` and
#: ``reporting_year`` are the contract's ``organisation`` and ``reporting_year`` as stored: a register id and
#: a year written 2022-23 (the contract's words describe what an upload may write).
EXTRA_COLUMNS: dict[str, tuple[str, str | None]] = {
    "organisation_id": ("organisation", None),
    "organisation_name": ("text", None),
    "reporting_year": ("year", None),
    "row": ("number", None),
    "submission_id": ("text", None),
    "reference": ("text", None),
    "version_number": ("number", None),
    "submitted_at": ("datetime", None),
    "submission_status": ("vocabulary", "|".join(vocabulary().submission_statuses)),
    "version_state": ("vocabulary", "|".join(VERSION_STATES)),
    "bodies_reported": ("number", None),
    "bodies_expected": ("number", None),
    "reported_pct": ("number", None),
    "baseline_share_pct": ("number", None),
    "provisional": ("boolean", None),
}
#: Which table of the files each column belongs to: the returns (both exports) or the coverage.
COVERAGE_COLUMNS = ["reporting_year", "bodies_reported", "bodies_expected", "reported_pct", "baseline_share_pct",
                    "provisional"]
#: Excel's last row (a sheet holds 1,048,576 rows, the header one of them): longer exports go on to another sheet.
EXCEL_MAX_ROWS = 1_048_575
DICTIONARY_COLUMNS = ["table", "column", "header", "kind", "vocabulary", "allowed_values", "description"]


@dataclass(frozen=True)
class OpenData:
    """One export made at one moment: its lines, the coverage of each year and the words of the reader's language."""

    kind: str
    lines: pd.DataFrame
    coverage: pd.DataFrame
    lang: str
    accepted_only: bool
    made_on: dt.date

    @property
    def stem(self) -> str:
        """The file name without extension: ``wales-returns-current-2026-12-02-cy``."""
        from decarb_dashboard.web.components import download_name

        return download_name("wales", FILE_STEMS[self.kind], self.made_on.isoformat(), lang=self.lang)


def _with_version_fields(lines: pd.DataFrame, parts: pd.DataFrame, engine_registry: pd.DataFrame) -> pd.DataFrame:
    """The lines to export (:func:`export.export_table`) with each one's submission and version fields."""
    frame = export.export_table(lines, matcher_for(engine_registry))
    fields = parts[["organisation_id", "reporting_year", "submission_id", *VERSION_FIELDS]]
    keys = ["organisation_id", "reporting_year", "submission_id"]
    merged = frame.astype({k: object for k in keys}).merge(fields, on=keys, how="left", validate="many_to_one")
    merged["version_number"] = merged["version_number"].astype("Int64")
    return merged


def current_returns(store: SubmissionStore, registry: pd.DataFrame, accepted_only: bool) -> pd.DataFrame:
    """Every current (published) return's lines, as :meth:`SubmissionStore.current_lines` gives them, with
    :data:`VERSION_FIELDS` (``version_state`` is ``current`` throughout)."""
    for _ in range(3):  # the lines and their versions read apart: again if a submission came in between
        before = store.version()
        parts = store.version_parts(accepted_only)
        lines = store.current_lines(accepted_only=accepted_only)
        if store.version() == before:
            break
    return _with_version_fields(lines, parts, registry)


def all_versions(store: SubmissionStore, registry: pd.DataFrame, accepted_only: bool) -> pd.DataFrame:
    """Every stored version's lines (:meth:`SubmissionStore.version_parts`), oldest first per body and year.

    ``accepted_only``: accepted versions only (a version awaiting review or queried is not published, and a
    withdrawn one never was accepted); otherwise every version, superseded and withdrawn ones marked so.
    """
    parts = store.version_parts(accepted_only)
    return _with_version_fields(store.parts_lines(parts), parts, registry)


def coverage(engine: Engine) -> pd.DataFrame:
    """The all-Wales coverage of each year of ``engine`` (:func:`export.coverage_table`), per cent to 1 decimal."""
    frame = export.coverage_table(engine)
    for column in ("reported_pct", "baseline_share_pct"):
        frame[column] = frame[column].map(lambda v: None if v is None or pd.isna(v) else round(float(v), 1))
    frame["provisional"] = frame["provisional"].astype(bool)
    return frame


def build(store: SubmissionStore, engine: Engine, kind: str, lang: str, accepted_only: bool,
          made_on: dt.date | None = None) -> OpenData:
    """Read the export ``kind`` (``current`` or ``versions``) of ``store`` with the coverage of ``engine``."""
    if kind not in KINDS:
        raise ValueError(f"unknown export {kind!r}; use one of {', '.join(KINDS)}")
    read = current_returns if kind == "current" else all_versions
    return OpenData(kind, read(store, engine.registry, accepted_only), coverage(engine), lang, accepted_only,
                    made_on or dt.date.today())


def dictionary(lang: str) -> pd.DataFrame:
    """The data dictionary of every column of every file in ``lang``: the returns' columns in file order, then
    the coverage's. Columns :data:`DICTIONARY_COLUMNS` (``table`` is ``returns`` or ``coverage``; ``header``
    the contract's header in ``lang`` where it has one)."""
    contract = export.data_dictionary().set_index("column")
    returns_columns = [*_line_columns(), *VERSION_FIELDS]
    rows = []
    for table, names in (("returns", returns_columns), ("coverage", COVERAGE_COLUMNS)):
        for name in names:
            if name in EXTRA_COLUMNS:
                kind, allowed = EXTRA_COLUMNS[name]
                rows.append({"table": table, "column": name, "header": name, "kind": kind,
                             "vocabulary": "submission_statuses" if name == "submission_status" else None,
                             "allowed_values": allowed, "description": t(f"data_col_{name}", lang)})
            else:
                spec = contract.loc[name]
                rows.append({"table": table, "column": name, "header": spec[f"header_{lang}"]
                             if f"header_{lang}" in spec else spec["header_en"], "kind": spec["kind"],
                             "vocabulary": spec["vocabulary"], "allowed_values": spec["allowed_values"],
                             "description": spec.get(f"description_{lang}") or spec["description_en"]})
    return pd.DataFrame(rows, columns=DICTIONARY_COLUMNS, dtype=object)


def _line_columns() -> list[str]:
    """The columns of an exported line before its version fields: the store's, the body's name second
    (as :func:`export.export_table` puts it)."""
    names = list(LINES_SCHEMA.names)
    return [names[0], "organisation_name", *names[1:]]


def licence(lang: str) -> dict[str, str]:
    """The licence's name and address (``config.data_licence``) and the attribution to give, in ``lang``."""
    name, url = config.data_licence(lang)
    return {"name": name, "url": url, "attribution": t("data_attribution", lang, owner=service_owner(lang),
                                                        licence=name)}


def about_rows(data: OpenData) -> list[tuple[str, str]]:
    """What the files are, where they come from and under which licence, as (label, text) pairs in their language."""
    lang = data.lang
    lic = licence(lang)
    rule = "publication_accepted_only" if data.accepted_only else "publication_all"
    return [
        (t("data_about_title", lang), t("data_about_what_" + data.kind, lang)),
        (t("data_about_publisher", lang), service_owner(lang)),
        (t("data_about_licence", lang), f"{lic['name']}: {lic['url']}" if lic["url"] else lic["name"]),
        (t("data_about_attribution", lang), lic["attribution"]),
        (t("data_about_which", lang), t(rule, lang)),
        (t("data_about_versions", lang), t("data_versions_rule_accepted" if data.accepted_only
                                           else "data_versions_rule_all", lang)),
        (t("data_about_not_zero", lang), t("data_not_zero", lang)),
        (t("data_about_made", lang), data.made_on.isoformat()),
        (t("data_about_files", lang), t("data_about_files_text", lang)),
    ]


def about_text(data: OpenData) -> str:
    """The README beside the CSV files: :func:`about_rows` as plain text."""
    return "\r\n".join(f"{label}: {text}" for label, text in about_rows(data)) + "\r\n"


def xlsx_bytes(data: OpenData) -> bytes:
    """An Excel workbook: the lines (as many sheets as Excel's row limit needs), the dictionary, the coverage
    and an About sheet with the licence; every text cell text, never a formula."""
    lang = data.lang
    name = t("data_sheet_returns", lang)
    sheets = [(name + (f" {n + 1}" if n else ""), data.lines.iloc[start:start + EXCEL_MAX_ROWS])
              for n, start in enumerate(range(0, max(len(data.lines), 1), EXCEL_MAX_ROWS))]
    about = pd.DataFrame(about_rows(data), columns=[t("data_about_field", lang), t("data_about_value", lang)])
    sheets += [(t("data_sheet_dictionary", lang), dictionary(lang)), (t("data_sheet_coverage", lang), data.coverage),
               (t("data_sheet_about", lang), about)]
    return export.workbook_bytes(sheets)


def parquet_bytes(data: OpenData) -> bytes:
    """A Parquet file of the lines whose metadata carries the licence, the attribution, the about text, the
    dictionary and the coverage (JSON), each column's description on its field."""
    table = pa.Table.from_pandas(data.lines, preserve_index=False)
    words = dictionary(data.lang)
    described = dict(zip(words.loc[words["table"] == "returns", "column"],
                         words.loc[words["table"] == "returns", "description"], strict=True))
    table = table.cast(pa.schema([field.with_metadata({"description": described.get(field.name, "")})
                                  for field in table.schema], metadata=table.schema.metadata))
    lic = licence(data.lang)
    meta = {**(table.schema.metadata or {}), b"licence": lic["name"].encode(), b"licence_url": lic["url"].encode(),
            b"attribution": lic["attribution"].encode(), b"about": about_text(data).encode(),
            b"dictionary": words.to_json(orient="records", force_ascii=False).encode(),
            b"coverage": data.coverage.to_json(orient="records", force_ascii=False).encode()}
    out = io.BytesIO()
    pq.write_table(table.replace_schema_metadata(meta), out)
    return out.getvalue()


def zip_bytes(data: OpenData) -> bytes:
    """A zip of the lines as CSV with the dictionary, the coverage and the README (licence and attribution)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, content in beside_files(data, f"{data.stem}.csv").items():
            bundle.writestr(name, content)
    return out.getvalue()


def beside_files(data: OpenData, csv_name: str) -> dict[str, bytes]:
    """The CSV of the lines under ``csv_name`` and the files beside it: ``<stem>-dictionary.csv``,
    ``<stem>-coverage.csv`` and ``<stem>-README.txt``."""
    stem = csv_name.removesuffix(".csv")
    return {
        csv_name: export.to_csv_bytes(data.lines),
        f"{stem}-dictionary.csv": export.to_csv_bytes(dictionary(data.lang)),
        f"{stem}-coverage.csv": export.to_csv_bytes(data.coverage),
        f"{stem}-README.txt": ("\ufeff" + about_text(data)).encode("utf-8"),
    }


def file_bytes(data: OpenData, fmt: str) -> bytes:
    """The export in ``fmt`` (:data:`FORMATS`) as one file: CSV alone (see :func:`beside_files`), or a file that
    holds the dictionary, coverage and licence inside it."""
    if fmt == "csv":
        return export.to_csv_bytes(data.lines)
    if fmt == "xlsx":
        return xlsx_bytes(data)
    if fmt == "parquet":
        return parquet_bytes(data)
    if fmt == "zip":
        return zip_bytes(data)
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
