"""The register of bodies on the admin page: add a body or change one, with the history of changes.

The same checks and history as ``decarb bodies add|edit`` (:func:`decarb_dashboard.registry.add_body`
and ``edit_body``): a refused change says why in the reader's language and stores nothing; a saved
one is kept with who made it and when, and validation and the pages use it at once.
"""

from __future__ import annotations

import dash
import pandas as pd
from dash import Dash, Input, Output, State, dcc, html

from decarb_dashboard import reasons
from decarb_dashboard.registry import RegisterError, add_body, edit_body, load_registry
from decarb_dashboard.web import auth, data
from decarb_dashboard.web.components import dropdown, refused, table
from decarb_dashboard.web.controls import region_name, sector_name
from decarb_dashboard.web.i18n import language, t
from uploads_schema.i18n import localised
from uploads_schema.models import BODY_TYPES, REGIONS

NEW = "__new__"
#: The form's text fields: (field id suffix, register column, label key, is a number).
FIELDS = [
    ("id", "id", "reg_field_id", False),
    ("name-en", "name_en", "reg_field_name_en", False),
    ("name-cy", "name_cy", "reg_field_name_cy", False),
    ("baseline", "own_baseline_year", "reg_field_own_baseline", False),
    ("population", "population", "reg_field_population", True),
    ("fte", "staff_fte", "reg_field_staff_fte", True),
    ("floor", "floor_area_m2", "reg_field_floor_area", True),
    ("spend", "gross_expenditure_gbp_m", "reg_field_spend", True),
]
HISTORY_SHOWN = 20


def history_table(lang: str) -> html.Div:
    """The latest changes of the register: when, who, which body, what changed."""
    # The first change copies the bundled register in ("seed" entries): not changes anyone made.
    history = [h for h in reversed(data.store().register_history()) if h["action"] != "seed"][:HISTORY_SHOWN]
    names = load_registry(data.data_dir()).set_index("id")
    labels = {column: t(label, lang) for _key, column, label, _number in FIELDS}
    labels.update(type=t("reg_field_type", lang), region=t("reg_field_region", lang))

    def body(body_id: str) -> str:
        return localised(names.loc[body_id], "name", lang) if body_id in names.index else body_id

    frame = pd.DataFrame(
        [{t("col_when_utc", lang): h["at"].replace("T", " ")[:16], t("col_who", lang): h["actor"],
          t("col_body", lang): body(h["organisation_id"]),
          t("col_what_changed", lang): "; ".join(f"{labels.get(k, k)}: {'' if old is None else old} → {new}"
                                                 for k, (old, new) in h["changes"].items())}
         for h in history],
        columns=[t(k, lang) for k in ("col_when_utc", "col_who", "col_body", "col_what_changed")])
    if frame.empty:
        return html.P(t("reg_history_none", lang))
    return html.Div(table(frame, t("reg_history_title", lang), "reg-history"))


def section(lang: str) -> html.Section:
    """The register form: choose a body (or a new one), change its fields, save."""
    register = load_registry(data.data_dir())
    bodies = sorted(({"label": data.matcher().name(b, lang), "value": b} for b in register["id"]),
                    key=lambda o: o["label"])
    options = [{"label": t("reg_new_body", lang), "value": NEW}, *bodies]
    fields = [html.Div([html.Label(t(label, lang), htmlFor=f"reg-{key}"),
                        dcc.Input(id=f"reg-{key}", type="text", debounce=False,
                                  inputMode="decimal" if number else "text")], className="control")
              for key, _column, label, number in FIELDS]
    return html.Section(
        [
            html.H2(t("reg_title", lang)),
            html.P(t("reg_intro", lang)),
            dcc.Store(id="reg-lang", data=lang),
            dropdown("reg-body", t("reg_choose", lang), options, NEW, clearable=False),
            html.Div(fields[:4], className="controls"),
            html.Div(
                [dropdown("reg-type", t("reg_field_type", lang),
                          [{"label": sector_name(k, lang), "value": k} for k in BODY_TYPES], None),
                 dropdown("reg-region", t("reg_field_region", lang),
                          [{"label": region_name(r, lang), "value": r} for r in REGIONS], None)],
                className="controls"),
            html.Div(fields[4:], className="controls"),
            html.Button(t("reg_save", lang), id="reg-save", className="primary-button"),
            html.Div(id="reg-outcome", **{"aria-live": "polite"}),
            html.H3(t("reg_history_title", lang)),
            html.Div(id="reg-history-block", children=history_table(lang)),
        ],
        id="register-admin",
    )


def fill(body: str | None, lang: str) -> list:
    """Put a chosen body's current values in the form (empty for a new body)."""
    if not auth.allowed("administer"):
        raise dash.exceptions.PreventUpdate
    register = load_registry(data.data_dir()).set_index("id")
    if body not in register.index:
        return [None] * (len(FIELDS) + 2) + [False]
    row = register.loc[body]
    values = []
    for _key, column, _label, number in FIELDS:
        value = body if column == "id" else row.get(column)
        values.append(None if value is None or (isinstance(value, float) and pd.isna(value)) else
                      (f"{value:g}" if number else str(value)))
    return [*values, row["type"], row["region"], True]


def _number(text: str | None) -> float | str | None:
    """A typed number ("12,800" -> 12800.0); blank -> None; anything else stays text for the register to refuse."""
    if text is None or not str(text).strip():
        return None
    try:
        return float(str(text).replace(",", "").replace(" ", ""))
    except ValueError:
        return str(text)


def save(_clicks: int | None, body: str | None, *values: object) -> tuple:
    """Add or change the body; say what was done, or why nothing was stored."""
    *fields, kind, region, lang = values
    lang = language(lang)
    account = auth.current_account()
    if account is None or not auth.allowed("administer"):
        return refused(lang), dash.no_update
    given: dict[str, object] = {}
    for (_key, column, _label, number), value in zip(FIELDS, fields, strict=True):
        text = value.strip() if isinstance(value, str) else None
        given[column] = _number(text) if number else (text or None)
    given.update(type=kind if isinstance(kind, str) else None, region=region if isinstance(region, str) else None)
    try:
        if body == NEW or not isinstance(body, str):
            row = add_body(data.data_dir(), given, actor=account.username)
            done = t("reg_done_added", lang, name=localised(row, "name", lang), id=row["id"])
        else:
            given.pop("id")
            row = edit_body(data.data_dir(), body, given, actor=account.username)
            done = t("reg_done_changed", lang, name=localised(row, "name", lang))
    except RegisterError as exc:
        problem = html.Div([html.H2(t("error_summary_title", lang)),
                            html.P(t("reg_refused", lang, reason=reasons.translate(exc.reason, lang)))],
                           className="error-summary", role="alert", id="reg-refused")
        return problem, dash.no_update
    return html.P(done, role="status", className="receipt", id="reg-done"), history_table(lang)


def register(app: Dash) -> None:
    app.callback(
        *[Output(f"reg-{key}", "value") for key, *_ in FIELDS],
        Output("reg-type", "value"),
        Output("reg-region", "value"),
        Output("reg-id", "disabled"),
        Input("reg-body", "value"),
        State("reg-lang", "data"),
        prevent_initial_call=True,
    )(fill)
    app.callback(
        Output("reg-outcome", "children"),
        Output("reg-history-block", "children"),
        Input("reg-save", "n_clicks"),
        State("reg-body", "value"),
        *[State(f"reg-{key}", "value") for key, *_ in FIELDS],
        State("reg-type", "value"),
        State("reg-region", "value"),
        State("reg-lang", "data"),
        prevent_initial_call=True,
    )(save)
