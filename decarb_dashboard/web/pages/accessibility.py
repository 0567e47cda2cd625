"""The accessibility statement public sector sites publish: what was tested, known issues, how to report a problem."""

from __future__ import annotations

from dash import Dash, html

from decarb_dashboard.web import service_pages
from decarb_dashboard.web.controls import contact_line, service_owner
from decarb_dashboard.web.i18n import language, t
from decarb_dashboard.web.service_pages import bullets, section, service_page

PATH = "/accessibility"


def layout(lang: str = "en", **_query: str) -> html.Div:
    """Return the statement in ``lang``, naming the service's owner and its contact address (both settings)."""
    lang = language(lang)
    return service_page("a11y_title", lang, [
        html.P(t("a11y_intro", lang, owner=service_owner(lang))),
        *section("a11y_tested_heading", lang,
                 bullets(("a11y_tested_axe", "a11y_tested_keyboard", "a11y_tested_mobile"), lang)),
        *section("a11y_issues_heading", lang,
                 bullets(("a11y_issue_charts", "a11y_issue_components", "a11y_issue_audit"), lang,
                         id="a11y-known-issues")),
        *section("a11y_compliance_heading", lang, html.P(t("a11y_compliance", lang))),
        *section("a11y_report_heading", lang, html.P(t("a11y_report", lang)), contact_line(lang)),
        *section("a11y_enforcement_heading", lang, html.P(t("a11y_enforcement", lang), id="a11y-enforcement")),
        html.P(t("a11y_prepared", lang), className="hint"),
    ])


def register(app: Dash) -> None:
    """Register the statement at ``/accessibility``."""
    service_pages.register(__name__, PATH, layout)
