"""Hardening against a hostile user and an unlucky operator (issue 12): one regression test or more per item."""

from __future__ import annotations

import json
import shutil

import plotly.utils
import pytest

from decarb_dashboard.accounts import AccountStore
from decarb_dashboard.web import create_app, render_shell
from tests.dash_http import find_prop

PASSWORD = "a long enough passphrase"


@pytest.fixture
def site(sample_store, tmp_path):  # type: ignore[no-untyped-def]
    root = tmp_path / "data"
    shutil.copytree(sample_store.root, root)
    AccountStore(root).add("officer", PASSWORD, "submitter", ["cardiff"], "Cardiff officer")
    return root


# ---- 5. the language link is built from the path only -------------------------------------------------------
@pytest.mark.parametrize(("pathname", "expected"), [
    ("//evil.example/x", "/?body=cardiff&lang=cy"),
    ("/\\evil.example", "/?body=cardiff&lang=cy"),
    ("https://evil.example/", "/?body=cardiff&lang=cy"),
    ("/compare", "/compare?body=cardiff&lang=cy"),
])
def test_the_language_link_never_leaves_the_site(site, pathname, expected):  # type: ignore[no-untyped-def]
    app = create_app(site, seed=False)
    with app.server.test_request_context("/"):
        children, lang = render_shell(pathname, "?body=cardiff")
    switch = find_prop(json.loads(json.dumps(children, cls=plotly.utils.PlotlyJSONEncoder)), "id", "language-switch")
    assert lang == "en" and switch["href"] == expected
