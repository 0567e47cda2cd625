"""Sign in: a plain HTML form posted to /auth/sign-in (it works without JavaScript too)."""

from __future__ import annotations

import dash
from dash import Dash, dcc, html

from decarb_dashboard.sample import display_name
from decarb_dashboard.web import auth
from decarb_dashboard.web.i18n import language, t

ERRORS = {"bad": "sign_in_error_bad", "expired": "sign_in_error_expired", "throttled": "sign_in_error_throttled",
          "wait": "sign_in_error_wait"}


def layout(lang: str = "en", error: str | None = None, next: str | None = None, minutes: str = "15",
           seconds: str = "30", **_query: str) -> html.Div:
    lang = language(lang)
    account = auth.current_account()
    if account is not None:
        return html.Div([html.H1(t("sign_in_title", lang)),
                         html.P(t("signed_in_as", lang, name=display_name(account, lang)), id="sign-in-done")])
    problem = []
    if error in ERRORS:
        problem = [html.Div(
            [html.H2(t("error_summary_title", lang), id="sign-in-error-title"),
             html.P(t(ERRORS[error], lang, minutes=minutes[:3] if minutes.isdigit() else "15",
                            seconds=seconds[:3] if seconds.isdigit() else "30"))],
            className="error-summary", role="alert", tabIndex="-1", id="sign-in-error",
            **{"aria-labelledby": "sign-in-error-title"},
        )]
    return html.Div(
        [
            html.H1(t("sign_in_title", lang)),
            *problem,
            html.P(t("sign_in_intro", lang)),
            html.Form(
                [
                    dcc.Input(type="hidden", name="csrf_token", value=auth.form_token()),
                    dcc.Input(type="hidden", name="lang", value=lang),
                    dcc.Input(type="hidden", name="next", value=auth.local_path(next)),
                    html.Div([html.Label(t("sign_in_username", lang), htmlFor="sign-in-username"),
                              dcc.Input(id="sign-in-username", name="username", type="text", required=True,
                                        autoComplete="username", debounce=True)], className="control"),
                    html.Div([html.Label(t("sign_in_password", lang), htmlFor="sign-in-password"),
                              dcc.Input(id="sign-in-password", name="password", type="password", required=True,
                                        autoComplete="current-password", debounce=True)], className="control"),
                    html.Button(t("sign_in_button", lang), type="submit", id="sign-in-submit",
                                className="primary-button"),
                ],
                action="/auth/sign-in",
                method="POST",
                className="sign-in-form",
            ),
            html.P(t("sign_in_help", lang), className="hint"),
        ]
    )


def register(app: Dash) -> None:
    dash.register_page(__name__, path=auth.SIGN_IN_PATH, layout=layout, title="Sign in")
