"""The service pages' one shape (accessibility statement, privacy notice, contact): a title, then sections of
a heading and paragraphs or lists, every text a key of the ``web`` catalogue; and their registration."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import dash
from dash import html

from decarb_dashboard.web.i18n import t


def service_page(title_key: str, lang: str, content: list) -> html.Div:
    """The page titled ``title_key`` with ``content`` under it, in ``lang``."""
    return html.Div([html.H1(t(title_key, lang)), *content], className="service-page")


def section(heading_key: str, lang: str, *content: html.Component) -> list:
    """A heading and what follows it, to splice into a page's content."""
    return [html.H2(t(heading_key, lang)), *content]


def bullets(keys: Iterable[str], lang: str, **attributes: object) -> html.Ul:
    """A list of the catalogue's texts of ``keys`` (without placeholders) in ``lang``."""
    return html.Ul([html.Li(t(key, lang)) for key in keys], **attributes)


def register(module: str, path: str, layout: Callable[..., html.Div]) -> None:
    """Register the page of ``module`` (its ``__name__``) at ``path``."""
    dash.register_page(module, path=path, layout=layout)
