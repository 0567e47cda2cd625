"""The plain HTML forms of signing in and setting a new password: posted without JavaScript, with the
session's form token, their refusals in the GOV.UK error summary."""

from __future__ import annotations

from dash import dcc, html

from decarb_dashboard.web import auth
from decarb_dashboard.web.i18n import t


def error_summary(prefix: str, words: str, lang: str) -> html.Div:
    """"There is a problem" and ``words``, announced and focusable, with ids ``<prefix>-error`` and its title's."""
    return html.Div([html.H2(t("error_summary_title", lang), id=f"{prefix}-error-title"), html.P(words)],
                    className="error-summary", role="alert", tabIndex="-1", id=f"{prefix}-error",
                    **{"aria-labelledby": f"{prefix}-error-title"})


def field(control_id: str, name: str, label: str, kind: str, autocomplete: str) -> html.Div:
    """A required, labelled input of the form."""
    return html.Div([html.Label(label, htmlFor=control_id),
                     dcc.Input(id=control_id, name=name, type=kind, required=True, autoComplete=autocomplete,
                               debounce=True)], className="control")


def post_form(action: str, hidden: dict[str, str], fields: list, button: str, button_id: str,
              username: str | None = None) -> html.Form:
    """The form posted to ``action``: the form token and the ``hidden`` values, then ``fields`` and the button.

    ``username``, when given, is a hidden field for password managers: whose password this is.
    """
    return html.Form(
        [
            dcc.Input(type="hidden", name="csrf_token", value=auth.form_token()),
            *(dcc.Input(type="hidden", name=name, value=value) for name, value in hidden.items()),
            *([dcc.Input(type="hidden", name="username", value=username, autoComplete="username")] if username
              else []),
            *fields,
            html.Button(button, type="submit", id=button_id, className="primary-button"),
        ],
        action=action,
        method="POST",
        className="sign-in-form",
    )
