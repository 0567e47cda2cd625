"""The Dash front end. ``create_app`` builds the app; each page is a module in ``pages/`` (home is ``pages/home``).

The language is the ``lang`` query parameter (``?lang=cy``), so every page is
a pure function of its address: no per-user state lives on the server.
"""

from __future__ import annotations

import functools
import html as html_text
import logging
import re
import urllib.parse
from pathlib import Path

import dash
import flask
from dash import ALL, MATCH, Dash, Input, Output, State, ctx, dcc, html

from decarb_dashboard import config, notify
from decarb_dashboard.accounts import AccountStore
from decarb_dashboard.export import to_csv_bytes, to_xlsx_bytes
from decarb_dashboard.maintenance import remove_leftovers
from decarb_dashboard.registry import load_registry
from decarb_dashboard.sample import DEMO_ACCOUNTS, DEMO_PASSWORD, display_name, seed_demo_accounts, seed_if_empty
from decarb_dashboard.store import SubmissionStore
from decarb_dashboard.web import api, auth, data_route, headers, plotly_bundle, propagation, report_route, warm
from decarb_dashboard.web.components import download_filename, rebuild_block, table_page
from decarb_dashboard.web.controls import localise, service_owner
from decarb_dashboard.web.i18n import language, languages, request_language, t
from decarb_dashboard.web.navigation import FOOTER_PAGES, PAGES, ROLE_PAGES, page_title
from decarb_dashboard.web.navigation import href as _href
from decarb_dashboard.web.store_health import health, unavailable_notice

log = logging.getLogger(__name__)
ASSETS = Path(__file__).parent / "assets"


def account_area(lang: str, path: str) -> html.Div:
    """Who is signed in and a sign-out button, or a sign-in link."""
    account = auth.current_account()
    if account is None:
        link = f"{auth.SIGN_IN_PATH}?{urllib.parse.urlencode({'lang': lang, 'next': path})}"
        return html.Div(html.A(t("sign_in_link", lang), href=link, id="sign-in-link"), className="account-area")
    return html.Div(
        [
            html.Span(t("signed_in_as", lang, name=display_name(account, lang)), id="signed-in-as"),
            html.Form(
                [
                    dcc.Input(type="hidden", name="csrf_token", value=auth.form_token()),
                    dcc.Input(type="hidden", name="lang", value=lang),
                    html.Button(t("sign_out_button", lang), type="submit", id="sign-out", className="link-button"),
                ],
                action="/auth/sign-out",
                method="POST",
            ),
        ],
        className="account-area",
    )


def shell(lang: str, path: str, search: str | None = None) -> list:
    """Return the header, navigation and language switch of a page in ``lang``.

    One banner landmark (``<header>``) holds the header bar, the menu and the notices, so that
    no text of the page is outside a landmark.
    """
    langs = languages()  # the switch goes to the next language, round to the first
    other = langs[(langs.index(lang) + 1) % len(langs)] if lang in langs else langs[0]
    pages = PAGES + [(p, key) for p, key, action in ROLE_PAGES if auth.allowed(action)]
    bar = html.Div(
        [
            html.Div(
                [
                    html.A(t("service_name", lang), href=_href("/", lang), className="service-name"),
                    html.Span(t("service_tagline", lang), className="tagline"),
                ]
            ),
            html.Div(
                [
                    account_area(lang, path),
                    html.A(
                        t("switch_language", lang),
                        href=_href(path, other, search),
                        lang=other,
                        hrefLang=other,
                        className="language-switch",
                        id="language-switch",
                        title=t("switch_language_label", lang),
                    ),
                ],
                className="header-tools",
            ),
        ],
        className="site-header",
    )
    menu = html.Nav(
        html.Ul(
            [
                html.Li(html.A(t(key, lang), href=_href(p, lang), **({"aria-current": "page"} if p == path else {})))
                for p, key in pages
            ]
        ),
        **{"aria-label": t("nav_label", lang)},
    )
    notices = [html.P(t("illustrative_notice", lang), className="notice"),
               *([notice] if (notice := unavailable_notice(lang)) is not None else [])]
    return [
        html.A(t("skip_link", lang), href="#main", className="skip-link"),
        html.Header([bar, menu, *notices]),
    ]


def footer(lang: str) -> list:
    """Return the footer of every page in ``lang``: the service pages and who runs the service."""
    return [
        html.Nav(
            html.Ul([html.Li(html.A(t(key, lang), href=_href(p, lang), id=f"footer-{p.strip('/')}"))
                     for p, key in FOOTER_PAGES]),
            **{"aria-label": t("footer_label", lang)},
        ),
        html.P(t("contact_owner", lang, owner=service_owner(lang)), className="footer-owner"),
    ]


def _lang_of(search: str | None) -> str:
    return language(dict(urllib.parse.parse_qsl((search or "").lstrip("?"))).get("lang"))


def render_shell(pathname: str | None, search: str | None) -> tuple[list, str]:
    lang = _lang_of(search)
    return shell(lang, auth.local_path(pathname), search), lang  # the address bar's path, kept on this site


def render_footer(search: str | None) -> list:
    return footer(_lang_of(search))


def render_frame(pathname: str | None, search: str | None) -> tuple[list, str, list]:
    """The shell (header, menu, notices), the page's language and the footer: one round trip, not two, on every
    page."""
    children, lang = render_shell(pathname, search)
    return children, lang, render_footer(search)


#: A click on a download button, told to the server: which block, CSV or Excel, and the block's query. Run in the
#: browser, so that a page's download buttons appearing (which fires a callback on every button of the page) costs
#: no round trip to the server: only a click does.
DOWNLOAD_CLICK = """function(csv, xlsx, queries, ids) {
  var fired = (window.dash_clientside.callback_context.triggered || []).filter(function (t) { return t.value; });
  if (!fired.length) { return window.dash_clientside.no_update; }
  var propId = fired[0].prop_id;
  var button = JSON.parse(propId.slice(0, propId.lastIndexOf(".")));
  var at = ids.findIndex(function (id) { return id && id.block === button.block; });
  return {block: button.block, kind: button.type, query: at < 0 ? null : queries[at], clicks: fired[0].value};
}"""
DOWNLOAD_KINDS = ("download-csv", "download-xlsx")


def download(click: object) -> dict:
    """Send the figures behind a chart or table, as CSV or Excel (text never runs as a formula).

    ``click`` is :data:`DOWNLOAD_CLICK`'s: the block, the kind of file and the block's query. The
    figures are built again on the server from that query (see components.rebuild_block); nothing
    the browser sends becomes a row.
    """
    if not isinstance(click, dict) or click.get("kind") not in DOWNLOAD_KINDS or not isinstance(click.get("block"),
                                                                                                    str):
        raise dash.exceptions.PreventUpdate
    block = click["block"]
    frame = rebuild_block(click.get("query"), block)
    if frame is None:
        raise dash.exceptions.PreventUpdate
    names = {extension: download_filename(frame, block, extension) for extension in ("csv", "xlsx")}
    frame = frame.astype(object).where(frame.notna(), None)
    if click["kind"] == "download-xlsx":
        return dcc.send_bytes(to_xlsx_bytes(frame), names["xlsx"])
    return dcc.send_bytes(to_csv_bytes(frame), names["csv"])


def turn_page(_previous: int | None, _next: int | None, state: object, query: object) -> tuple:
    """Show the previous or next page of a long table's rows (components.table_page), built on the server from
    the block's query as its download is."""
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not ctx.triggered[0].get("value"):
        raise dash.exceptions.PreventUpdate
    step = -1 if trigger.get("type") == "table-previous" else 1
    return table_page(str(trigger.get("block")), query, state, step)


#: The largest request body of a callback that takes no file, in bytes (a review message is 2,000 characters).
MAX_CALLBACK_BYTES = 256 * 1024


def limit_callback_bodies(app: Dash) -> None:
    """Refuse (413) a callback request over MAX_CALLBACK_BYTES unless its callback takes a file.

    Only the upload callbacks (a ``contents`` input or state) may be sent up to the
    upload limit; any other large body is refused before a callback reads it.
    """
    file_callbacks: set[str] = set()

    def check() -> None:
        request = flask.request
        if not request.path.endswith("/_dash-update-component"):
            return
        if request.content_length is not None and request.content_length <= MAX_CALLBACK_BYTES:
            return
        if not file_callbacks:  # the pages' callbacks are all registered by the first request
            file_callbacks.update(k for k, c in app.callback_map.items()
                                  if any(d.get("property") == "contents" for d in [*c["inputs"], *c["state"]]))
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or body.get("output") not in file_callbacks:
            flask.abort(413)

    app.server.before_request(check)


def on_callback_error(error: Exception) -> None:
    """Any failure inside a callback: log it for the operators, tell the user plainly, change nothing on screen.

    Callbacks check what they are sent, so this is the last line, for what nobody foresaw;
    the user never sees a traceback, and a write that failed half way was never started
    (the store writes atomically).
    """
    log.error("callback %s failed", ctx.triggered_id, exc_info=error)
    dash.set_props("callback-error", {"children": html.P(
        [t("callback_failed", "en"), html.Br(), html.Span(t("callback_failed", "cy"), lang="cy")])})


def register_shell(app: Dash) -> None:
    """Register the callbacks every page shares: the shell in the chosen language, and downloads."""
    app.callback(
        Output("page-shell", "children"),
        Output("page-lang-attr", "data"),
        Output("page-footer", "children"),
        Input("url", "pathname"),
        Input("url", "search"),
    )(render_frame)
    app.clientside_callback(
        DOWNLOAD_CLICK,
        Output("download-click", "data"),
        Input({"type": "download-csv", "block": ALL}, "n_clicks"),
        Input({"type": "download-xlsx", "block": ALL}, "n_clicks"),
        State({"type": "download-data", "block": ALL}, "data"),
        State({"type": "download-data", "block": ALL}, "id"),
        prevent_initial_call=True,
    )
    app.callback(Output("download", "data"), Input("download-click", "data"), prevent_initial_call=True)(download)
    app.callback(
        Output({"type": "table-rows", "block": MATCH}, "children"),
        Output({"type": "table-status", "block": MATCH}, "children"),
        Output({"type": "table-previous", "block": MATCH}, "aria-disabled"),
        Output({"type": "table-next", "block": MATCH}, "aria-disabled"),
        Output({"type": "table-page", "block": MATCH}, "data"),
        Input({"type": "table-previous", "block": MATCH}, "n_clicks"),
        Input({"type": "table-next", "block": MATCH}, "n_clicks"),
        State({"type": "table-page", "block": MATCH}, "data"),
        State({"type": "download-data", "block": MATCH}, "data"),
        prevent_initial_call=True,
    )(turn_page)


def refuse_demo_accounts(accounts: AccountStore) -> None:
    """Raise ConfigurationError if any demo account can still sign in with the published demo password."""
    left = [name for name, *_ in DEMO_ACCOUNTS if accounts.password_matches(name, DEMO_PASSWORD)]
    if left:
        raise config.ConfigurationError(
            f"DECARB_ENV is production but the demo account(s) {', '.join(left)} still sign in with the published "
            f"demo password: disable each with `decarb users disable NAME` (or give it a password of its own with "
            f"`decarb users set-password NAME`), then start again")


class Dashboard(Dash):
    """Dash, with its first HTML in the page's language: ``<html lang>``, the tab's title, "Loading...".

    Dash writes the page that starts the app (its "index") once for every address; the
    language and the page come from the address (``?lang=cy``), so the browser, a screen
    reader and a search engine know them before any script runs.
    """

    #: Dash's own page, but with its scripts at the end of the body rather than in a second <footer>
    #: (a page has one footer landmark: the site's, in the layout).
    INDEX = """<!DOCTYPE html>
<html>
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
    </head>
    <body>
        {%app_entry%}
        {%config%}
        {%scripts%}
        {%renderer%}
    </body>
</html>"""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, index_string=self.INDEX, **kwargs)

    def interpolate_index(self, **kwargs: str) -> str:
        lang = request_language()
        kwargs["title"] = html_text.escape(page_title(_registered_path(flask.request.path), lang))
        kwargs["app_entry"] = kwargs.get("app_entry", "").replace("Loading...", html_text.escape(t("loading", lang)))
        index = super().interpolate_index(**kwargs)
        return re.sub(r"<html(\s[^>]*)?>", f'<html lang="{html_text.escape(lang)}">', index, count=1)


def _registered_path(path: str) -> str:
    """Return the path (or path template, ``/receipt/<submission_id>``) a page is registered at for ``path``."""
    path = "/" + path.strip("/")
    for page in dash.page_registry.values():
        template = page.get("path_template")
        if template and re.fullmatch(re.sub(r"<[^/>]+>", "[^/]+", template), path):
            return template
        if page.get("path") == path:
            return path
    return path


def localised_pages() -> None:
    """Pass every registered page through :func:`controls.localise` and title it in its language.

    Pages are registered by their own modules; this wraps each once, so that no page can
    show Dash's own English words or an English tab title on a Welsh page.
    """
    for page in dash.page_registry.values():
        layout = page["layout"]
        if callable(layout) and not getattr(layout, "localised", False):
            @functools.wraps(layout)
            def wrapped(*args: object, _layout=layout, **query: str) -> object:
                return localise(_layout(*args, **query), language(query.get("lang")))

            wrapped.localised = True
            page["layout"] = wrapped
        path = page.get("path_template") or page["path"]
        page["title"] = lambda _path=path, **_variables: page_title(_path, request_language())


def create_app(data_dir: Path | None = None, seed: bool = True) -> Dash:
    """Return the dashboard over the store in ``data_dir`` (default ``$DECARB_DATA_DIR``).

    An empty store is first seeded with the illustrative sample returns, through
    the same validate-and-submit path as a user's upload.
    """
    from decarb_dashboard.web.pages import (
        accessibility,
        accounts,
        api_docs,
        compare,
        contact,
        home,
        open_data,
        organisation,
        privacy,
        projects_upload,
        receipt,
        reset_password,
        review,
        sign_in,
        upload,
        wales,
    )

    settings = config.web_settings()
    store = SubmissionStore(data_dir if data_dir is not None else config.data_dir())
    remove_leftovers(store.root)  # temporary files of writes a crash or a full disk interrupted
    if settings.production:
        refuse_demo_accounts(AccountStore(store.root))
    if seed:
        seed_if_empty(store, load_registry(store.root))
    if settings.demo_accounts:
        seed_demo_accounts(AccountStore(store.root))
    app = Dashboard(
        __name__,
        title=t("service_name", "en"),
        update_title=None,  # the tab keeps the page's title (in its language) while callbacks run
        # a phone lays the page out at its own width (without this, at 980 px and shrunk)
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
        assets_folder=str(ASSETS),
        use_pages=True,
        pages_folder="",
        suppress_callback_exceptions=True,
        on_error=on_callback_error,
    )
    app.server.config["DECARB_DATA_DIR"] = str(store.root)
    # Signs session cookies; every worker must share it (production sets DECARB_SECRET_KEY).
    app.server.secret_key = settings.secret_key or config.local_secret_key(store.root)
    auth.init(app.server, settings)
    if settings.trust_proxy:
        # Behind one reverse proxy: the client address and https come from it, and from nobody else.
        app.server.wsgi_app = auth.TrustedProxy(app.server.wsgi_app, settings.trusted_proxies)
    # The upload limit is enforced by the server too: base64 adds a third, the form a little more.
    app.server.config["MAX_CONTENT_LENGTH"] = int(config.max_upload_bytes() * 1.4) + 64 * 1024
    app.server.add_url_rule("/healthz", "healthz", lambda: health(store))
    report_route.register(app)  # /report/<body>/<year>.pdf, the report pack
    api.register(app)  # /api/v1/, the read-only JSON API
    data_route.register(app)  # /data/<file>, the open data's downloads
    # Mail still pending from before a restart goes out now, not only after the next notification.
    notify.start_sender(store.root)
    for page in (home, upload, projects_upload, receipt, organisation, compare, wales, review, accounts, sign_in,
                 accessibility, privacy, contact, reset_password, api_docs, open_data):
        page.register(app)
    localised_pages()
    register_shell(app)
    app.layout = html.Div(
        [
            dcc.Location(id="url"),
            dcc.Store(id="page-lang-attr"),
            dcc.Store(id="lang-sink"),
            dcc.Download(id="download"),
            dcc.Store(id="download-click"),
            html.Div(id="page-shell", children=shell("en", "/")),
            html.Div(id="callback-error", role="alert", className="callback-error"),
            html.Main(dash.page_container, id="main", tabIndex="-1"),
            html.Footer(id="page-footer", children=footer("en"), className="site-footer"),
        ]
    )
    app.clientside_callback(
        "function(lang) { document.documentElement.lang = lang || 'en'; return window.dash_clientside.no_update; }",
        Output("lang-sink", "data"),
        Input("page-lang-attr", "data"),
    )
    limit_callback_bodies(app)
    # Follow the store's changes (through any server) and draw the public pages ahead of the first visitor, in
    # the time left between requests.
    app.server.wsgi_app = warm.counted(app.server.wsgi_app)
    propagation.start(app.server, store.root)
    headers.install(app, settings.production)
    plotly_bundle.install(app)  # the charts' plotly.js: the partial bundle, 0.4 MB gzipped, not the full 1.5 MB
    headers.install_compression(app)
    return app

