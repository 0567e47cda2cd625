"""The home page: what the service is, the all-Wales headline figures with their coverage, the signed-in
user's next step by role, and the way to each page.

The headline figures are those of the Wales overview and ``decarb overview --json`` for the year the pages
open on (the latest with adequate coverage, :func:`data.default_year`): :func:`rollups.group_summary` over
every body in the register, worked out once per engine and shared with the Wales page. The next step is
the library's too: a submitter's bodies' status for the year due (:func:`review.body_statuses`,
:func:`deadlines.due_year`), a reviewer's queue (:func:`review.queue`), an admin's accounts needing
attention (:meth:`AccountStore.needing_attention`).
"""

from __future__ import annotations

import dash
from dash import Dash, html

from decarb_dashboard import deadlines, review, rollups
from decarb_dashboard.accounts import Account
from decarb_dashboard.memo import per_object
from decarb_dashboard.web import auth, data
from decarb_dashboard.web.components import change_text, figure_text
from decarb_dashboard.web.i18n import language, t
from decarb_dashboard.web.navigation import PAGES, ROLE_PAGES, href
from uploads_schema import i18n

TITLE = "Decarbonisation Dashboard"


def all_wales_summary(year: str) -> dict:
    """All Wales's figures for ``year`` as the Wales overview has them (the same cached computation)."""
    engine = data.engine()
    return per_object(engine, ("all-Wales summary", year, False), lambda: rollups.group_summary(
        engine.categories, engine.registry, sorted(engine.registry["id"].astype(str)), year,
        data.quality_flags(year), False))


def headlines(lang: str) -> html.Section:
    """Total tCO2e of the latest year with enough returns, how many bodies it covers, and the change since 2019-20."""
    year = data.default_year()
    summary = all_wales_summary(year)
    c, lfl = summary["coverage"], summary["like_for_like"]
    items = [
        (t("wales_headline_total", lang, year=year),
         t("home_total_value", lang, total=figure_text(summary["total_tco2e"], "tco2e", lang))),
        (t("wales_headline_coverage", lang),
         t("home_coverage", lang, count=c["bodies_expected"], reported=c["bodies_reported"],
           expected=c["bodies_expected"])),
        (t("wales_headline_change", lang, count=len(lfl["bodies"])),
         change_text(lfl["change_vs_baseline_pct"], lfl["change_vs_baseline_tco2e"], lang)),
    ]
    children: list = []
    for term, detail in items:
        children += [html.Dt(term), html.Dd(detail)]
    out = [html.H2(t("home_headlines_title", lang, year=year)), html.Dl(children, className="headlines",
                                                                         id="home-headlines")]
    if c["provisional"]:
        out.append(html.P(t("year_provisional", lang, year=year, reported=c["bodies_reported"],
                            expected=c["bodies_expected"]), className="warning-text"))
    out.append(html.P(html.A(t("home_see_wales", lang), href=href("/wales", lang, year=year))))
    return html.Section(out, id="home-figures")


def _submitter_steps(account: Account, lang: str) -> list:
    """Each of the submitter's bodies: what to do about its return for the year due, with the link to do it."""
    year = deadlines.due_year()
    due = i18n.date(deadlines.deadline(year), lang, format="d MMMM y")
    statuses = review.body_statuses(data.store(), data.registry(), year).set_index("organisation_id")
    m = data.matcher()
    items = []
    for body in account.bodies:
        name = m.name(body, lang, short=True)
        status = statuses.at[body, "status"] if body in statuses.index else review.NOT_SUBMITTED
        upload = href("/upload", lang, body=body, year=year)
        if status == review.NOT_SUBMITTED:
            key = "home_next_overdue" if deadlines.is_overdue(year) else "home_next_submit"
            link = (t(key, lang, body=name, year=year, deadline=due), upload)
        elif status == "queried":
            link = (t("home_next_reply", lang, body=name, year=year), upload)
        else:
            receipt = f"/receipt/{statuses.at[body, 'submission_id']}?lang={lang}"
            link = (t(f"home_next_{status}", lang, body=name, year=year), receipt)
        items.append(html.Li(html.A(link[0], href=link[1]), className=f"next-step next-{status}"))
    return [html.Ul(items, id="home-next-steps")]


def _reviewer_steps(lang: str) -> list:
    waiting = [r for r in review.queue(data.store(), data.engine(drafts=True), status="submitted")]
    return [html.P(html.A(t("home_next_review", lang, count=len(waiting)), href=href("/review", lang)),
                   id="home-next-review")]


def _admin_steps(lang: str) -> list:
    attention = auth.account_store().needing_attention()
    items = [html.Li(t(f"home_attention_{why}", lang, user=a.username)) for a, why in attention]
    return [html.P(html.A(t("home_next_accounts", lang, count=len(attention)), href=href("/accounts", lang)),
                   id="home-next-accounts"), *([html.Ul(items, id="home-attention")] if items else [])]


def next_step(lang: str) -> html.Section:
    """What the person reading should do next, by their role; signed out, how to start."""
    account = auth.current_account()
    if account is None:
        body = [html.P(t("home_signed_out", lang)),
                html.P(html.A(t("sign_in_link", lang), href=f"{auth.SIGN_IN_PATH}?lang={lang}&next=/"))]
    elif account.role == "submitter":
        body = _submitter_steps(account, lang)
    elif account.role == "reviewer":
        body = _reviewer_steps(lang)
    else:
        body = _admin_steps(lang)
    return html.Section([html.H2(t("home_next_title", lang)), *body], id="home-next", className="notice-panel")


def page_links(lang: str) -> html.Section:
    """A link to every page the reader may use, each with what it is for."""
    links = [(p, key) for p, key in PAGES[1:]] + [(p, key) for p, key, action in ROLE_PAGES if auth.allowed(action)]
    return html.Section([html.H2(t("home_pages_title", lang)),
                         html.Ul([html.Li([html.A(t(key, lang), href=href(p, lang)), " ",
                                           html.Span(t(f"home_about_{key}", lang), className="hint")])
                                  for p, key in links],
                                 id="home-pages")])


def layout(lang: str = "en", **_query: str) -> html.Div:
    """Return the home page in ``lang``: the service, the headline figures, the next step, links to the pages."""
    lang = language(lang)
    return html.Div([html.H1(t("home_title", lang)), html.P(t("home_intro", lang)), next_step(lang),
                     headlines(lang), page_links(lang)])


def register(app: Dash) -> None:
    """Register the home page at ``/``."""
    dash.register_page("home", path="/", layout=layout, title=TITLE)
