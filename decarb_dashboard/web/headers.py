"""The security headers of every response: a Content-Security-Policy Dash works under, and the usual others.

Dash's page has one inline script of its own (starting the renderer) and one per
clientside callback; the policy allows exactly those, by hash
(:meth:`dash.Dash.csp_hashes`), and no other inline or outside script. Styles may be
inline: Plotly and Dash's components set them. HSTS is sent only in production,
where the app is reached over HTTPS.
"""

from __future__ import annotations

import threading

import flask
from dash import Dash
from dash.fingerprint import check_fingerprint
from flask_compress import Compress
from werkzeug.serving import WSGIRequestHandler

from decarb_dashboard.web import plotly_bundle

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


#: A year, in seconds: how long a browser may keep a file whose address changes with its content.
IMMUTABLE = "public, max-age=31536000, immutable"
#: Compression offered, best first (every browser since 2017 takes Brotli; gzip for the rest).
ALGORITHMS = ["br", "gzip"]


class CompressedFiles:
    """The compressed bytes of the files whose content is fixed for the life of the process, kept per process.

    Compressing plotly.js again for every visitor would cost a tenth of a second of CPU each
    time, for the same result. Only files that never change at the same address are kept
    here (see :func:`kept_compressed`); a page or a callback's answer is compressed afresh each time.
    At most ``MAX_FILES`` are kept, the oldest dropped first: Dash serves about 20 such files
    (some 3 MB before compression), and addresses made up by a client (a versioned file's
    address accepts any version) cannot make the process keep more.
    """

    MAX_FILES = 64

    def __init__(self) -> None:
        self._bytes: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        return self._bytes.get(key)

    def set(self, key: str, value: bytes) -> None:
        with self._lock:
            # flask-compress sets again what it has just got: that keeps the entry, and drops no other
            while key not in self._bytes and len(self._bytes) >= self.MAX_FILES:
                self._bytes.pop(next(iter(self._bytes)))
            self._bytes[key] = value


#: One for the process: every app of a process (the tests make many) serves the same files at the same addresses,
#: Dash's and the package's own, so plotly.js is compressed once per process, not once per app. (Not before the
#: first request: a request made while the app is set up would end its setup. A test's server stopped while a
#: thread compressed the full plotly.js, 0.4 s each time, printed dash_duo's ``SystemExit`` warning; the basic
#: bundle takes 0.1 s, once.)
KEPT = CompressedFiles()


def immutable(app: Dash, request: flask.Request) -> bool:
    """Whether ``request`` is for a file whose address changes whenever its content does.

    Dash names its components' scripts with their version (``dash_core_components.v4_4_1m1733.min.js``:
    ``_dash-component-suites``) and adds ``?m=<modified time>`` to the app's own assets.
    """
    prefix = app.config.requests_pathname_prefix
    if request.path.startswith(f"{prefix}_dash-component-suites/"):
        return check_fingerprint(request.path)[1]
    return request.path.startswith(f"{prefix}{app.config.assets_url_path.strip('/')}/") and "m" in request.args


def kept_compressed(app: Dash, request: flask.Request) -> bool:
    """Whether ``request`` is for a file whose content is fixed for the life of the process.

    The versioned files (:func:`immutable`) and plotly.js (:mod:`decarb_dashboard.web.plotly_bundle`,
    whose address has no version but whose content changes only with a new release of the app).
    """
    return immutable(app, request) or request.path == plotly_bundle.url_path(app)


def install_compression(app: Dash) -> None:
    """Compress text responses with Brotli or gzip (flask-compress), and let browsers keep versioned files a year.

    Pages, callbacks' JSON, scripts and styles are compressed when the browser accepts it and
    they are over 500 bytes; images, workbooks and other already compressed formats are not
    (flask-compress's list of text types). A response that is streamed is compressed as it
    goes (Brotli only), never held back whole. Files fixed for the process (:func:`kept_compressed`) are
    compressed once per process, and versioned ones (:func:`immutable`) get
    ``Cache-Control: public, max-age=31536000, immutable``.
    """
    server = app.server
    server.config.setdefault("COMPRESS_ALGORITHM", ALGORITHMS)
    # Brotli quality 6, not flask-compress's 4: plotly.js (the basic bundle, 1.19 MB) is 361 kB against 401 kB,
    # in about 0.1 s of CPU once per process (the files are kept compressed), and pages are small.
    server.config.setdefault("COMPRESS_BR_LEVEL", 6)
    server.config.setdefault("COMPRESS_REGISTER", False)  # registered below, after the cache headers
    pages, files = Compress(server), Compress(server)
    files.cache, files.cache_key = KEPT, lambda request: request.full_path

    def compress(response: flask.Response) -> flask.Response:
        if response.status_code == 200 and kept_compressed(app, flask.request):
            if immutable(app, flask.request):
                response.headers["Cache-Control"] = IMMUTABLE
            response.direct_passthrough = False  # an asset is sent as a file: read it, to compress it once
            response.make_sequence()
            return files.after_request(response)
        return pages.after_request(response)

    server.after_request(compress)


class QuietRequestHandler(WSGIRequestHandler):
    """The development server (``python app.py``) without its "Werkzeug/x Python/y" banner.

    gunicorn sends only its name, which the app cannot change; the reverse proxy in
    front replaces it (docs/deployment.md).
    """

    def version_string(self) -> str:
        return "decarb-dashboard"
