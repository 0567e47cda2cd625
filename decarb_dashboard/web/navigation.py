"""The site's pages in the menu, and links to a page in a language."""

from __future__ import annotations

import urllib.parse

from decarb_dashboard.web import auth
from decarb_dashboard.web.i18n import t

PAGES = [
    ("/", "nav_home"),
    ("/upload", "nav_upload"),
    ("/organisation", "nav_organisation"),
    ("/compare", "nav_compare"),
    ("/wales", "nav_wales"),
]
#: Pages in the menu only for those who may use them (the pages check again on the server).
ROLE_PAGES = [("/review", "nav_review", "read_drafts"), ("/accounts", "nav_accounts", "administer")]


def href(path: str, lang: str, search: str | None = None, **query: str) -> str:
    """Return ``path`` with ``lang`` and ``query`` set, keeping the other parameters of ``search``.

    ``path`` comes from the address bar, so it is reduced to a path on this site first:
    ``//evil.example/x`` would otherwise be a link to another site (an open redirect).
    """
    path = auth.local_path(path)
    params = dict(urllib.parse.parse_qsl((search or "").lstrip("?")))
    params.update({"lang": lang, **query})
    return f"{path}?{urllib.parse.urlencode({k: v for k, v in params.items() if v})}"

#: The service pages every page's footer links to.
FOOTER_PAGES = [
    ("/accessibility", "nav_accessibility"),
    ("/privacy", "nav_privacy"),
    ("/contact", "nav_contact"),
    ("/data", "nav_open_data"),
    ("/api", "nav_api"),
]
#: The name of each page in its browser tab (``page_title``: "Compare – Decarbonisation Dashboard"), by its
#: path as registered; home is the service's name alone.
TITLE_KEYS = {
    **dict(PAGES[1:]),
    **{p: key for p, key, _ in ROLE_PAGES},
    **dict(FOOTER_PAGES),
    "/sign-in": "sign_in_title",
    "/reset-password": "reset_title",
    "/receipt/<submission_id>": "tab_receipt",
    "/api": "api_page_title",
    "/projects/upload": "projects_upload_title",
}


def page_title(path: str, lang: str) -> str:
    """Return the browser tab's title of the page registered at ``path`` (a template such as ``/receipt/<id>``)."""
    key = TITLE_KEYS.get(path)
    return t("page_title", lang, page=t(key, lang)) if key else t("service_name", lang)
