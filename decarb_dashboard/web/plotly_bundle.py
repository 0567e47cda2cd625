"""The plotly.js the charts draw with: the "basic" partial bundle (bar, pie, scatter), not Dash's full one.

Dash 4's ``dcc.Graph`` loads plotly.js only when the first chart appears, from
``_dash-component-suites/plotly/package_data/plotly.min.js`` (the renderer's
``window._dashPlotlyJSURL``), which would be the Python ``plotly`` package's full
bundle: 4.8 MB, 1.47 MB gzipped, of 47 trace types. The pages draw two, ``bar`` and
``scatter`` (``components.Figure``; the map of Wales too, as ``scatter`` traces filled
``toself``), so that address serves plotly.js's own "basic" bundle of the same
version instead: 1.2 MB, 0.40 MB gzipped. Nothing else changes: the renderer, the
Graph and the Welsh locale asset (``assets/plotly-locale-cy.js``, which registers
itself when plotly.js sets ``window.Plotly``) see plotly.js as before.

The bundle is vendored (``vendor/plotly-basic.min.js``, MIT, with its licence), not
fetched when the app starts: ``make run`` and ``pip install`` need no npm and no
network, and the file served is the one reviewed. To move to another version, run
``make plotly-bundle PLOTLY_JS=x.y.z`` (:func:`main`): it fetches the npm package
``plotly.js-basic-dist-min`` at that version with npm, checks that it says that version,
writes the file and its licence, and prints the ``VERSION`` and ``SHA256`` to put here.
A chart that needs another trace type needs a bigger bundle (``plotly.js-cartesian-dist-min``
adds box, heatmap, histogram, contour): the tests fail on a trace type the bundle lacks.

The address does not change with the version, so the file is sent with an ETag of
its checksum and ``Cache-Control: no-cache``: a browser that has it asks again and
gets a 304 of a few hundred bytes. Its compressed bytes are kept per process
(:mod:`decarb_dashboard.web.headers`).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import flask
from dash import Dash

#: The npm package and version vendored (the plotly.js of the Python ``plotly`` package that Dash would serve).
PACKAGE = "plotly.js-basic-dist-min"
VERSION = "4.1.1"
#: The SHA-256 of ``vendor/plotly-basic.min.js`` (a test fails if the file is not that one).
SHA256 = "99784e3abfb07b142a15e521a439e6d9addceadb3f79553fd24c72774f0649ba"
VENDOR = Path(__file__).parent / "vendor"
BUNDLE = VENDOR / "plotly-basic.min.js"
LICENSE = VENDOR / "plotly.js-LICENSE"
#: Where Dash's dcc.Graph loads plotly.js from, under the app's routes prefix.
DASH_PATH = "_dash-component-suites/plotly/package_data/plotly.min.js"


def url_path(app: Dash) -> str:
    """Return the path the app's charts load plotly.js from (``/_dash-component-suites/plotly/...``)."""
    return f"{app.config.routes_pathname_prefix}{DASH_PATH}"


def header(text: str) -> str:
    """Return the first comment line of a plotly.js bundle: ``plotly.js (basic - minified) v4.1.1``."""
    return text[: text.find("*/")].splitlines()[1].lstrip("* ").strip()


def install(app: Dash) -> None:
    """Serve the vendored bundle at the address dcc.Graph loads plotly.js from.

    The rule is all fixed text, so Flask prefers it to Dash's own
    ``_dash-component-suites/<package>/<path>``.
    """
    data = BUNDLE.read_bytes()

    def serve() -> flask.Response:
        response = flask.Response(data, mimetype="text/javascript")
        response.set_etag(SHA256)
        response.cache_control.no_cache = True
        return response.make_conditional(flask.request)

    app.server.add_url_rule(url_path(app), "plotly_bundle", serve)


def fetch(version: str = VERSION, target: Path = VENDOR) -> str:
    """Fetch ``PACKAGE`` at ``version`` with npm into ``target``; return the bundle's SHA-256.

    Raises RuntimeError when npm fails or the package's bundle does not say that version.
    """
    with tempfile.TemporaryDirectory(prefix="plotly-bundle-") as tmp:
        packed = subprocess.run(["npm", "pack", "--json", "--pack-destination", tmp, f"{PACKAGE}@{version}"],
                                capture_output=True, text=True, timeout=300, check=False)
        if packed.returncode != 0:
            raise RuntimeError(f"npm pack {PACKAGE}@{version} failed: {packed.stderr.strip()}")
        tarball = Path(tmp) / json.loads(packed.stdout)[0]["filename"]
        with tarfile.open(tarball) as archive:
            archive.extractall(tmp, filter="data")
        bundle = Path(tmp) / "package" / BUNDLE.name
        said = header(bundle.read_text(encoding="utf-8"))
        if said != f"plotly.js (basic - minified) v{version}":
            raise RuntimeError(f"{PACKAGE}@{version}'s {BUNDLE.name} says {said!r}")
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(bundle, target / BUNDLE.name)
        shutil.copyfile(Path(tmp) / "package" / "LICENSE", target / LICENSE.name)
        return hashlib.sha256(bundle.read_bytes()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    version = (argv if argv is not None else sys.argv[1:]) or [VERSION]
    digest = fetch(version[0])
    print(f"{BUNDLE} is {PACKAGE}@{version[0]}, SHA-256 {digest}")
    if version[0] != VERSION or digest != SHA256:
        print(f"set VERSION = {version[0]!r} and SHA256 = {digest!r} in {Path(__file__).name}")
    return 0

