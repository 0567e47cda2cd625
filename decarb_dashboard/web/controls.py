"""Controls several pages share: the body and year selectors, the metric and peer group choices,
and the sign-in prompt. Pages import from here, never from one another.

The metric and peer group choices are the vocabularies' (``uploads_schema/vocabulary/metrics.csv``,
``peer_groups.csv``): a metric added there is offered on every page at once.
"""

from __future__ import annotations

from dash import html

from decarb_dashboard.web import auth, data
from decarb_dashboard.web.components import dropdown, radios
from decarb_dashboard.web.i18n import t
from uploads_schema.vocabulary import vocabulary


def sector_name(kind: str, lang: str) -> str:
    """A body type's name in ``lang`` ("Councils")."""
    return t(f"type_{kind}", lang)


def region_name(region: str, lang: str) -> str:
    """A region's name in ``lang`` ("Gogledd Cymru")."""
    return t("region_" + region.lower().replace(" ", "_"), lang)


def metrics() -> list[str]:
    """Return the ids of the metrics a page offers, in ``metrics.csv`` order."""
    return list(vocabulary().metrics)


def peer_groups() -> list[str]:
    """Return the ids of the peer groups a page offers, in ``peer_groups.csv`` order."""
    return list(vocabulary().peer_groups)


def controls(lang: str, body: str, year: str, prefix: str) -> list:
    """Return the labelled body and year selectors every per-body page starts with."""
    return [
        dropdown(f"{prefix}-body", t("label_body", lang), data.body_options(lang), body, clearable=False),
        dropdown(f"{prefix}-year", t("label_year", lang), data.year_options(lang), year, clearable=False),
    ]


def metric_control(prefix: str, lang: str, value: str) -> html.Div:
    """Return the metric selector: every metric of the vocabulary, by its translated name."""
    return dropdown(
        f"{prefix}-metric",
        t("label_metric", lang),
        [{"label": t(f"metric_{m}", lang), "value": m} for m in metrics()],
        value,
        clearable=False,
    )


def peer_control(prefix: str, lang: str) -> html.Fieldset:
    """Return the peer group choice: every peer group of the vocabulary, bodies of the same type first."""
    return radios(
        f"{prefix}-peers",
        t("label_peer_group", lang),
        [{"label": t(f"peer_{p}", lang), "value": p} for p in peer_groups()],
        "type",
    )


def sign_in_prompt(lang: str, path: str, reason_key: str) -> html.Div:
    """The message a page shows instead of its content to someone who must sign in (or may not see it)."""
    account = auth.current_account()
    children = [html.P(t(reason_key, lang))]
    if account is None:
        children.append(html.P(html.A(t("sign_in_link", lang), href=f"{auth.SIGN_IN_PATH}?lang={lang}&next={path}")))
    return html.Div(children, className="notice-panel", id="refused")
