"""The register of Welsh public bodies: loading it, checking it, and adding or changing a body.

The register ships inside the installed package (``sample_data/registry.csv``)
and is replaced by ``registry.csv`` in the data directory when one exists. Once
an admin adds or edits a body (``decarb bodies``, the Accounts page), the
register lives in the store's catalogue, with its history, seeded from the one
that applied until then.
"""

from __future__ import annotations

import functools
import math
import re
from importlib import resources
from pathlib import Path

import pandas as pd

from decarb_dashboard import config
from uploads_schema.models import BODY_TYPES, REGIONS, Registry

REGISTRY_FILE = "registry.csv"


_INTEGERS = ["population", "population_year"]
_DECIMALS = ["staff_fte", "floor_area_m2", "gross_expenditure_gbp_m"]
COLUMNS = list(Registry.to_schema().columns)


class RegisterError(ValueError):
    """A change of the register that is refused; the message says what and how to fix it. Nothing was stored.

    Its text is a :class:`decarb_dashboard.reasons.Reason` (English, as the CLI prints it), so the
    admin page can say the same in Welsh with ``reasons.translate(str(error), lang)``.
    """

    def __init__(self, code: str, **params: object) -> None:
        from decarb_dashboard import reasons

        self.reason = reasons.text(code, **params)
        super().__init__(self.reason)

    def __str__(self) -> str:
        return self.reason


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Return register rows with each column in its type, validated against the Registry model."""
    frame = frame.replace({"": None})
    if "own_baseline_year" not in frame:  # a registry.csv made before the column
        frame.insert(len(frame.columns) - 1, "own_baseline_year", None)
    frame["ccr_member"] = frame["ccr_member"].astype(str).str.lower().eq("true")
    for col in _INTEGERS:
        frame[col] = pd.to_numeric(frame[col]).astype("Int64")
    for col in _DECIMALS:
        frame[col] = pd.to_numeric(frame[col]).astype(float)
    return Registry.validate(frame[COLUMNS])


def _read_csv(source: object) -> pd.DataFrame:
    return _typed(pd.read_csv(source, dtype=str, keep_default_na=False, encoding="utf-8"))


def _plain(value: object) -> object:
    """A register cell as JSON keeps it: None for missing, Python numbers."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def rows_of(frame: pd.DataFrame) -> list[dict]:
    """Return register rows as plain dicts (what the store keeps)."""
    return [{c: _plain(v) for c, v in row.items()} for row in frame[COLUMNS].to_dict("records")]


def load_registry(data_dir: Path | None = None) -> pd.DataFrame:
    """Return the register of bodies, validated against :class:`uploads_schema.models.Registry`.

    ``data_dir/registry.csv`` replaces the bundled register when it exists.
    The same frame is returned while the file is unchanged, so that what is worked
    out from it once (the name matcher) is kept across engine rebuilds: treat it as
    read-only.
    """
    url = config.database_url()
    if data_dir is not None and (url or (data_dir / "store.sqlite").is_file()):
        from decarb_dashboard.store import SubmissionStore

        store = SubmissionStore(data_dir)
        version = store.register_version()
        if version:  # the register as edited (decarb bodies, the register page), in the store every server shares
            return _registry_in_store(str(data_dir), url, version)
    return _starting_registry(data_dir)


def _starting_registry(data_dir: Path | None) -> pd.DataFrame:
    """The register that applies until the store holds one: ``registry.csv`` of the data directory, or the bundled."""
    path = data_dir / REGISTRY_FILE if data_dir is not None else None
    if path is not None and path.is_file():
        stat = path.stat()
        return _registry_file(str(path), stat.st_mtime_ns, stat.st_size)
    return bundled_registry()


@functools.lru_cache(maxsize=8)
def _registry_in_store(data_dir: str, database_url: str | None, _version: int) -> pd.DataFrame:
    from decarb_dashboard.store import SubmissionStore

    return _typed(pd.DataFrame(SubmissionStore(data_dir, database_url=database_url or "").register_rows(),
                               columns=COLUMNS))


def _check_body(row: dict, others: pd.DataFrame) -> pd.DataFrame:
    """Return the register with ``row`` in it, checked; raise RegisterError saying what is wrong."""
    from pandera.errors import SchemaError, SchemaErrors

    from decarb_dashboard import years

    if not isinstance(row.get("id"), str) or not re.fullmatch(r"[a-z0-9_]+", row["id"]):
        raise RegisterError("register_bad_id", value=repr(row.get("id")))
    if row.get("type") not in BODY_TYPES:
        raise RegisterError("register_bad_type", value=repr(row.get("type")), allowed=", ".join(BODY_TYPES))
    if row.get("region") not in REGIONS:
        raise RegisterError("register_bad_region", value=repr(row.get("region")), allowed=", ".join(REGIONS))
    if not row.get("name_en"):
        raise RegisterError("register_no_name")
    if row.get("name_en") in set(others["name_en"]):
        raise RegisterError("register_name_taken", value=repr(row["name_en"]))
    baseline = row.get("own_baseline_year")
    if baseline is not None:
        try:
            row["own_baseline_year"] = years.label(years.parse(baseline))
        except years.YearProblem:
            raise RegisterError("register_bad_baseline", value=repr(baseline)) from None
    for col in (*_INTEGERS, *_DECIMALS):
        value = row.get(col)
        if value is not None and not (isinstance(value, int | float) and value > 0):
            raise RegisterError("register_bad_number", column=col, value=repr(value))
    try:
        return _typed(pd.concat([others[COLUMNS], pd.DataFrame([row], columns=COLUMNS)], ignore_index=True))
    except (SchemaError, SchemaErrors, ValueError, TypeError) as exc:
        raise RegisterError("register_misfit", detail=str(exc).splitlines()[0]) from None


def add_body(data_dir: Path, values: dict, *, actor: str) -> dict:
    """Add a body to the register in the store of ``data_dir`` and return its row.

    ``values`` holds the Registry model's columns (id, name_en, type, region
    required); the Welsh and short names default to the English name, coverage to
    local for councils and national otherwise. Raises RegisterError, storing nothing.
    """
    from decarb_dashboard.store import StoreError, SubmissionStore

    current = load_registry(data_dir)
    if values.get("id") in set(current["id"]):
        raise RegisterError("register_exists", value=values["id"])
    name = values.get("name_en")
    row = {"ons_code": None, "aliases": None, "ccr_member": False, "population": None, "population_year": None,
           "staff_fte": None, "floor_area_m2": None, "gross_expenditure_gbp_m": None, "own_baseline_year": None,
           "coverage": "local" if values.get("type") == "council" else "national",
           "name_cy": name, "short_name_en": name, "short_name_cy": values.get("name_cy") or name,
           "provenance": f"added to the register by {actor}", **{k: v for k, v in values.items() if v is not None}}
    checked = _check_body(row, current)
    new_row = rows_of(checked.tail(1))[0]
    try:
        SubmissionStore(data_dir).change_register(
            new_row, actor=actor, action="add", changes={k: [None, v] for k, v in new_row.items() if v is not None},
            seed_rows=rows_of(current))
    except StoreError as exc:
        raise RegisterError("register_store", detail=str(exc)) from None
    return new_row


def edit_body(data_dir: Path, body_id: str, values: dict, *, actor: str) -> dict:
    """Change some of a body's columns (``values``; None leaves one as it is) and return its new row."""
    from decarb_dashboard.store import StoreError, SubmissionStore

    current = load_registry(data_dir)
    if body_id not in set(current["id"]):
        raise RegisterError("register_unknown", value=repr(body_id))
    old = rows_of(current[current["id"] == body_id])[0]
    row = {**old, **{k: v for k, v in values.items() if v is not None}}
    checked = _check_body(row, current[current["id"] != body_id])
    new_row = rows_of(checked.tail(1))[0]
    changes = {k: [old[k], v] for k, v in new_row.items() if old[k] != v}
    if not changes:
        return new_row
    try:
        SubmissionStore(data_dir).change_register(new_row, actor=actor, action="edit", changes=changes,
                                                  seed_rows=rows_of(current))
    except StoreError as exc:
        raise RegisterError("register_store", detail=str(exc)) from None
    return new_row


@functools.lru_cache(maxsize=8)
def _registry_file(path: str, _mtime_ns: int, _size: int) -> pd.DataFrame:
    return _read_csv(Path(path))


@functools.cache
def bundled_registry() -> pd.DataFrame:
    """Return the register shipped with the package."""
    with resources.files("sample_data").joinpath(REGISTRY_FILE).open("rb") as f:
        return _read_csv(f)
