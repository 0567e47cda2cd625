"""Controls several pages share: the body and year selectors, the metric and peer group choices,
the sign-in prompt, and the words of Dash's own components in the page's language. Pages import
from here, never from one another.

The metric and peer group choices are the vocabularies' (``uploads_schema/vocabulary/metrics.csv``,
``peer_groups.csv``): a metric added there is offered on every page at once.
"""

from __future__ import annotations

from dash import dcc, html
from dash.development.base_component import Component

from decarb_dashboard import config
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


def dropdown_labels(lang: str) -> dict[str, str]:
    """Return the words a ``dcc.Dropdown`` shows of its own (``labels``: "Select all", "3 selected" ...) in ``lang``.

    ``selected_count`` keeps Dash's own ``{num_selected}``, which the component fills in.
    """
    return {
        "select_all": t("dropdown_select_all", lang),
        "deselect_all": t("dropdown_deselect_all", lang),
        "selected_count": t("dropdown_selected_count", lang, num_selected="{num_selected}"),
        "search": t("dropdown_search", lang),
        "clear_search": t("dropdown_clear_search", lang),
        "clear_selection": t("dropdown_clear_selection", lang),
        "no_options_found": t("dropdown_no_options", lang),
    }


def localise(layout: object, lang: str) -> object:
    """Give every Dash component in ``layout`` that has words of its own those words in ``lang``; return ``layout``.

    Every page's layout goes through this (see ``web.localised_pages``), so that a page never
    shows Dash's English ("Select...", "No options found") on a Welsh page, whoever wrote it.
    Words a page set itself (its own ``placeholder``) are kept.
    """
    for component in _components(layout):
        if isinstance(component, dcc.Dropdown):
            if getattr(component, "labels", None) is None:
                component.labels = dropdown_labels(lang)
            if getattr(component, "placeholder", None) is None:
                component.placeholder = t("dropdown_placeholder", lang)
    return layout


def _components(node: object):
    """Yield every component in ``node`` (a component, a list of them, or text), depth first."""
    if isinstance(node, (list, tuple)):
        for child in node:
            yield from _components(child)
    elif isinstance(node, Component):
        yield node
        for name in ("children", "custom_spinner"):
            yield from _components(getattr(node, name, None))


def service_owner(lang: str) -> str:
    """Return the organisation running the service (``DECARB_SERVICE_OWNER``, default Welsh Government) in ``lang``."""
    owner = config.service_owner()
    return (owner.owner_cy if lang == "cy" else owner.owner) or t("service_owner_default", lang)


def data_controller(lang: str) -> str:
    """Return the data controller of the users' information (``DECARB_DATA_CONTROLLER``, default the owner)."""
    owner = config.service_owner()
    return (owner.controller_cy if lang == "cy" else owner.controller) or service_owner(lang)


def contact_line(lang: str) -> html.P:
    """Return how to reach the service: its ``DECARB_CONTACT_EMAIL`` as a link, or that none is set."""
    email = config.service_owner().contact_email
    if email is None:
        return html.P(t("contact_no_email", lang), className="contact-line")
    return html.P([t("contact_email_label", lang), " ", html.A(email, href=f"mailto:{email}", id="contact-email")],
                  className="contact-line")
