"""The security headers of every response: a Content-Security-Policy Dash works under, and the usual others.

Dash's page has one inline script of its own (starting the renderer) and one per
clientside callback; the policy allows exactly those, by hash
(:meth:`dash.Dash.csp_hashes`), and no other inline or outside script. Styles may be
inline: Plotly and Dash's components set them. HSTS is sent only in production,
where the app is reached over HTTPS.
"""

from __future__ import annotations

import flask
from dash import Dash
from werkzeug.serving import WSGIRequestHandler

#: Sent on every response (HSTS only in production).
STATIC_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
HSTS = "max-age=31536000; includeSubDomains"


def content_security_policy(script_hashes: list[str]) -> str:
    """Return the policy: everything from this site only, scripts only from it or with these hashes, no framing."""
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *script_hashes],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def install(app: Dash, production: bool) -> None:
    """Add the headers to every response of ``app``.

    The script hashes are taken on each response: Dash adds the inline scripts of
    its pages' own clientside callbacks only when it serves its first request.
    Hashing those few short scripts costs microseconds.
    """

    def add_headers(response: flask.Response) -> flask.Response:
        response.headers["Content-Security-Policy"] = content_security_policy(list(app.csp_hashes()))
        response.headers.update(STATIC_HEADERS)
        if production:
            response.headers["Strict-Transport-Security"] = HSTS
        return response

    app.server.after_request(add_headers)


class QuietRequestHandler(WSGIRequestHandler):
    """The development server (``python app.py``) without its "Werkzeug/x Python/y" banner.

    gunicorn sends only its name, which the app cannot change; the reverse proxy in
    front replaces it (docs/deployment.md).
    """

    def version_string(self) -> str:
        return "decarb-dashboard"
