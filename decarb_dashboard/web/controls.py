"""Controls several pages share: the body and year selectors, the metric and peer group choices,
the sign-in prompt, and the words of Dash's own components in the page's language. Pages import
from here, never from one another.

The metric and peer group choices are the vocabularies' (``uploads_schema/vocabulary/metrics.csv``,
``peer_groups.csv``): a metric added there is offered on every page at once.
"""

from __future__ import annotations

import dash
import pandas as pd
from dash import Dash, Input, Output, State, dcc, html
from dash.development.base_component import Component

from decarb_dashboard import config
from decarb_dashboard.memo import per_object
from decarb_dashboard.rollups import region_name, sector_name  # noqa: F401 (the pages' names of the groups)
from decarb_dashboard.web import auth, data
from decarb_dashboard.web.components import dropdown, radios
from decarb_dashboard.web.i18n import language, t
from uploads_schema.labels import normalise_label
from uploads_schema.vocabulary import vocabulary

#: A body selector offers every body of a register of this many or fewer; of a larger one, the chosen bodies
#: and at most this many of those whose names hold what is typed (:func:`body_choices`). Dash's dropdown
#: indexes every part of every word of every option as the page opens (js-search's all-substrings index):
#: seconds of the browser's time for 5,000 bodies, the list it shows being virtualised anyway.
BODY_CHOICES = 50
#: A selector of a larger register keeps at most this many bodies it was given before (see :func:`body_choices`).
BODY_CHOICES_KEPT = 200
#: What is typed is read up to this many characters and words: a longer search finds no more bodies.
SEARCH_MAX_CHARS, SEARCH_MAX_WORDS = 100, 8


def metrics() -> list[str]:
    """Return the ids of the metrics a page offers, in ``metrics.csv`` order."""
    return list(vocabulary().metrics)


def peer_groups() -> list[str]:
    """Return the ids of the peer groups a page offers, in ``peer_groups.csv`` order."""
    return list(vocabulary().peer_groups)


def controls(lang: str, body: str, year: str, prefix: str) -> list:
    """Return the labelled body and year selectors every per-body page starts with (the body selector's
    choices follow what is typed: :func:`register_body_search`)."""
    return [
        body_selector(f"{prefix}-body", t("label_body", lang), lang, body, clearable=False),
        dropdown(f"{prefix}-year", t("label_year", lang), data.year_options(lang), year, clearable=False),
    ]


def body_selector(control_id: str, label: str, lang: str, value: str | list[str] | None, wide: bool = False,
                  **kwargs: object) -> html.Div:
    """Return a labelled dropdown of the register's bodies, first offering :func:`body_options` of ``value``.

    The page registers :func:`register_body_search` for ``control_id``. Each choice is found by
    any part of any word of its English or Welsh name (short or official), its id, ONS code or
    aliases, with or without accents, whatever the page's language; the list keeps the server's
    order (names starting with what is typed first).
    """
    return dropdown(control_id, label, body_options(lang, value), value, wide=wide, search_order="original", **kwargs)


def body_options(lang: str, chosen: str | list[str] | None = None) -> list[dict]:
    """Return a body selector's first choices: every body of a register of up to :data:`BODY_CHOICES`, else
    the ``chosen`` bodies and the first others by name, :data:`BODY_CHOICES` in all, named in ``lang``."""
    every = _every_option(data.registry(), lang)
    if len(every) <= BODY_CHOICES:
        return every
    ids = _known(data.registry(), chosen)
    first = [o for o in every if o["value"] not in ids][:max(0, BODY_CHOICES - len(ids))]
    by_id = _options_by_id(data.registry(), lang)
    return sorted([by_id[b] for b in ids] + first, key=lambda o: o["label"].casefold())


def matching_bodies(search: object, lang: str) -> list[dict]:
    """Return the options of every body whose words hold every typed word (each word anywhere in one of
    them, as Dash's dropdown matches: "cyng caerd" finds Cardiff), those whose name starts with the
    first typed word first, then by name; [] for nothing typed."""
    typed = str(search or "")[:SEARCH_MAX_CHARS].lower().split()[:SEARCH_MAX_WORDS]
    if not typed:
        return []
    found = [o for o in _every_option(data.registry(), lang) if all(w in o["search"] for w in typed)]
    return sorted(found, key=lambda o: not o["label"].lower().startswith(typed[0]))  # stable: by name within


def body_choices(search: object, value: object, offered: object, lang: str) -> list[dict] | None:
    """Return a body selector's choices for what is typed, or None when the ones it has will do.

    Every chosen body (``value``) is always among them (Dash's dropdown drops a chosen value its
    choices lack). With something typed: the first :data:`BODY_CHOICES` matching bodies, then the
    chosen ones and those ``offered`` before (up to :data:`BODY_CHOICES_KEPT` in all), which the
    dropdown hides as they do not match, but which keep a body just chosen while an answer was on
    its way. Nothing typed: the choices offered, with any chosen body they lack. A register of up to
    :data:`BODY_CHOICES` bodies is offered whole from the start: None.
    """
    registry = data.registry()
    if len(registry) <= BODY_CHOICES:
        return None
    by_id = _options_by_id(registry, language(lang))
    chosen = _known(registry, value)
    before = _known(registry, [o.get("value") for o in offered if isinstance(o, dict)]
                    if isinstance(offered, list) else None)
    if not str(search or "").strip():
        missing = [b for b in chosen if b not in set(before)]
        return [by_id[b] for b in before + missing] if missing else None
    kept = list(dict.fromkeys([o["value"] for o in matching_bodies(search, language(lang))[:BODY_CHOICES]]
                              + chosen))
    room = BODY_CHOICES_KEPT - len(kept)
    have = set(kept)
    kept += [b for b in before if b not in have][:max(0, room)]
    return [by_id[b] for b in kept]


def register_body_search(app: Dash, control_id: str, lang_store: str) -> None:
    """Register the callback that gives the body selector ``control_id`` its :func:`body_choices`."""

    def choices(search: str | None, value: object, offered: object, lang: str) -> list[dict]:
        found = body_choices(search, value, offered, lang)
        if found is None:
            raise dash.exceptions.PreventUpdate
        return found

    app.callback(Output(control_id, "options"), Input(control_id, "search_value"), Input(control_id, "value"),
                 State(control_id, "options"), State(lang_store, "data"), prevent_initial_call=True)(choices)


def _known(registry: pd.DataFrame, value: object) -> list[str]:
    """The registered body ids among ``value`` (one id, a list of them, or anything sent), in order, once each."""
    ids = value if isinstance(value, list) else [value]
    known = _options_by_id(registry, "en")
    return list(dict.fromkeys(b for b in ids if isinstance(b, str) and b in known))


def _every_option(registry: pd.DataFrame, lang: str) -> list[dict]:
    """Every body's option, by name in ``lang``: its short name, id and the words it is found by."""
    return per_object(registry, ("body options", lang), lambda: sorted(
        ({"label": name, "value": body, "search": words}
         for body, name, words in zip(registry["id"], _short_names(registry, lang), _search_words(registry),
                                      strict=True)),
        key=lambda o: o["label"].casefold()))


def _options_by_id(registry: pd.DataFrame, lang: str) -> dict[str, dict]:
    return per_object(registry, ("body options by id", lang), lambda: {o["value"]: o
                                                                       for o in _every_option(registry, lang)})


def _short_names(registry: pd.DataFrame, lang: str) -> list[str]:
    m = data.matcher()
    return [m.name(b, lang, short=True) for b in registry["id"]]


def _search_words(registry: pd.DataFrame) -> list[str]:
    """Each body's words, lower case, as written and without accents ("tân tan"), one space between."""
    columns = [registry[c].tolist() for c in ("id", "name_en", "name_cy", "short_name_en", "short_name_cy",
                                                "ons_code", "aliases") if c in registry.columns]
    out = []
    for labels in zip(*columns, strict=True):
        words: dict[str, None] = {}
        for label in labels:
            if isinstance(label, str) and label:
                words.update(dict.fromkeys(label.lower().replace("|", " ").split()))
                words.update(dict.fromkeys(normalise_label(label.replace("|", " ")).split()))
        out.append(" ".join(words))
    return out


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
