"""The charts' plotly.js: the vendored partial bundle, served where dcc.Graph loads it, never the full one."""

from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path

import dash
import pytest

from decarb_dashboard.web import components, create_app, headers, plotly_bundle, plotly_locale

FULL = Path(dash.__file__).parent.parent / "plotly" / "package_data" / "plotly.min.js"


def traces(bundle: str) -> set[str]:
    """The trace types a plotly.js bundle registers."""
    return set(re.findall(r'moduleType:"trace",name:"(\w+)"', bundle))


@pytest.fixture(scope="module")
def client(sample_store):
    return create_app(sample_store.root, seed=False).server.test_client()


def test_the_vendored_bundle_is_the_pinned_basic_bundle_with_its_licence():
    data = plotly_bundle.BUNDLE.read_bytes()
    assert hashlib.sha256(data).hexdigest() == plotly_bundle.SHA256
    assert plotly_bundle.header(data.decode()) == f"plotly.js (basic - minified) v{plotly_bundle.VERSION}"
    assert "MIT License" in plotly_bundle.LICENSE.read_text(encoding="utf-8")
    assert traces(data.decode()) == {"bar", "pie", "scatter"}


def test_the_bundle_draws_every_trace_type_the_pages_make():
    # components.Figure is how every page (and the map of Wales) makes a chart: each add_<type> appends a trace
    made = set(re.findall(r'self\.data\.append\(\{"type": "(\w+)"', Path(components.__file__).read_text()))
    assert made == {"bar", "scatter"}
    assert made <= traces(plotly_bundle.BUNDLE.read_text(encoding="utf-8"))


def test_the_bundle_knows_every_word_the_welsh_locale_translates():
    # a word the bundle does not say (plotly.js renames a tooltip) would stay English on a Welsh page
    bundle = plotly_bundle.BUNDLE.read_text(encoding="utf-8")
    assert [w for w in plotly_locale.dictionary("cy") if f'"{w}"' not in bundle] == []


def test_dash_loads_plotly_from_the_address_the_bundle_is_served_at():
    # Dash's renderer tells dcc.Graph where plotly.js is: if a new Dash moves it, the full bundle would come back
    renderer = Path(dash.__file__).parent / "dash-renderer" / "build" / "dash_renderer.min.js"
    assert f'"{plotly_bundle.DASH_PATH}"' in renderer.read_text(encoding="utf-8")


def test_a_chart_page_loads_the_partial_bundle_and_never_the_full_one(client):
    page = client.get("/organisation?body=cardiff&year=2022-23").get_data(as_text=True)
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', page)
    # plotly.js comes with the first chart, not with the page (only its Welsh words do)
    assert scripts and [s for s in scripts if "plotly" in s] == [next(s for s in scripts if "plotly-locale-cy" in s)]
    served = client.get("/" + plotly_bundle.DASH_PATH, headers={"Accept-Encoding": "gzip"})
    assert served.status_code == 200 and served.headers["Content-Encoding"] == "gzip"
    body = gzip.decompress(served.data)
    assert body == plotly_bundle.BUNDLE.read_bytes() and body != FULL.read_bytes()
    assert len(served.data) < 450_000  # 0.40 MB gzipped; the full bundle is 1.47 MB
    assert served.headers["Cache-Control"] == "no-cache"


def test_a_browser_that_has_the_bundle_gets_a_304(client):
    first = client.get("/" + plotly_bundle.DASH_PATH, headers={"Accept-Encoding": "gzip"})
    again = client.get("/" + plotly_bundle.DASH_PATH,
                       headers={"Accept-Encoding": "gzip", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    plain = client.get("/" + plotly_bundle.DASH_PATH)
    assert plain.data == plotly_bundle.BUNDLE.read_bytes()
    etag = {"If-None-Match": plain.headers["ETag"]}
    assert client.get("/" + plotly_bundle.DASH_PATH, headers=etag).status_code == 304


def test_the_bundle_is_compressed_once_per_process(client, monkeypatch):
    from flask_compress.compat import compression

    client.get("/" + plotly_bundle.DASH_PATH, headers={"Accept-Encoding": "gzip"})
    calls = []
    real = compression.gzip.compress
    monkeypatch.setattr(compression.gzip, "compress", lambda *a, **k: calls.append(1) or real(*a, **k))
    client.get("/?lang=en", headers={"Accept-Encoding": "gzip"})  # a page is compressed afresh: the patch works
    assert calls == [1]
    calls.clear()
    for _ in range(3):
        assert client.get("/" + plotly_bundle.DASH_PATH, headers={"Accept-Encoding": "gzip"}).status_code == 200
    assert calls == []


def test_the_compressed_files_kept_are_bounded():
    kept = headers.CompressedFiles()
    for i in range(kept.MAX_FILES + 10):
        kept.set(f"/file-{i}.js", b"x")
    assert len(kept._bytes) == kept.MAX_FILES
    assert kept.get("/file-0.js") is None and kept.get(f"/file-{kept.MAX_FILES + 9}.js") == b"x"
    kept.set(f"/file-{kept.MAX_FILES + 9}.js", b"x")  # what flask-compress does on every hit: nothing else dropped
    assert len(kept._bytes) == kept.MAX_FILES and kept.get("/file-10.js") == b"x"
