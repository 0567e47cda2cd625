"""Talk to a running dashboard the way the browser does: pages and callbacks over HTTP, with cookies.

Used by the permission matrix and hostile-input tests and by ``benchmarks/load.py``;
it needs only the server's address (it reads the callbacks from ``/_dash-dependencies``).
:func:`serve` is the one way to serve an app in a thread: for those tests, the screenshots
(``tests/browser/screenshots.py``) and ``benchmarks/bench_browser.py``.
"""

from __future__ import annotations

import base64
import csv
import json
import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

PAGE = "_pages_content.children"
PROBLEMS = Path(__file__).resolve().parent.parent / "uploads_schema" / "problems.csv"


def _targets(output: str) -> list[dict]:
    names = output[2:-2].split("...") if output.startswith("..") else [output]
    return [dict(zip(("id", "property"), n.rsplit(".", 1), strict=True)) for n in names]


def upload_payload(data: bytes, mime: str = "text/csv") -> str:
    """The ``contents`` a dcc.Upload sends for a file's bytes."""
    return f"data:{mime};base64," + base64.b64encode(data).decode()


#: The declaration the upload page's tests make: the senior officer who approved the return, and their role.
DECLARATION = {"up-approved-by.value": "Jo Bloggs", "up-approver-role.value": "Director of Resources"}
#: An explanation for every group of warnings a return can have (each issue code that is a warning,
#: and each kind of check against the stored figures), for tests that are about something else.
EXPLAIN_EVERY = {key: "Checked against our records: the figure is right." for key in
                 [code for code, severity in csv.reader(PROBLEMS.read_text(encoding="utf-8").splitlines()[1:])
                  if severity == "warning"] + ["stored:peer_range", "stored:change"]}


def upload_values(contents: object, filename: object, body: object, year: object,
                  explanations: dict[str, str] | None = None, lang: str = "en") -> dict:
    """What the upload page sends when its file is checked or submitted, declared (see DECLARATION).

    ``explanations`` are what the submitter wrote for each group of warnings, by the group's key
    (default: every group explained, see EXPLAIN_EVERY; ``{}``: none).
    """
    return {"up-file.contents": contents, "up-file.filename": filename, "up-body.value": body,
            "up-year.value": year, "up-lang.data": lang, "up-submit.n_clicks": 1, **DECLARATION,
            "up-explain.value": EXPLAIN_EVERY if explanations is None else explanations}


def callback_body(deps: list[dict], output: str, values: dict, changed: str | None = None) -> dict:
    """Return what the page posts to run the callback whose output key starts with ``output``.

    ``deps`` is the app's ``/_dash-dependencies``; ``values`` maps "id.property" to the value the page
    would send (missing ones are None); ``changed`` is the input that fired (default: the first).
    """
    spec = next(d for d in deps if d["output"].lstrip(".").startswith(output.lstrip(".")))

    def fill(items: list) -> list:
        return [wildcard(i) if given(i) else {**i, "value": values.get(f"{i['id']}.{i['property']}")}
                for i in items]

    def given(item: dict) -> bool:
        return item["id"].startswith("{") and f"{json.loads(item['id']).get('type')}.value" in values

    def wildcard(item: dict) -> list[dict]:
        """A pattern-matching ALL: one entry per component, from ``values["<type>.value"]``, {key: value}.

        Only ids of the form {"type": ..., <one other key>: ALL} are supported, as the pages use;
        a pattern ``values`` does not name is sent as one entry, as any other (a malformed request).
        """
        pattern = json.loads(item["id"])
        name = next(k for k in pattern if k != "type")
        found = values[f"{pattern['type']}.value"] or {}
        return [{"id": {**pattern, name: key}, "property": item["property"],
                 "value": {**pattern, name: key} if item["property"] == "id" else value}
                for key, value in found.items()]

    inputs = fill(spec["inputs"])
    targets = _targets(spec["output"])
    return {
        "output": spec["output"],
        "outputs": targets if spec["output"].startswith("..") else targets[0],
        "inputs": inputs,
        "state": fill(spec.get("state", [])),
        "changedPropIds": [changed or f"{inputs[0]['id']}.{inputs[0]['property']}"],
    }


class DashClient:
    """One browser: a cookie jar, and the app's callbacks found by what they update."""

    def __init__(self, base_url: str, timeout_s: float = 60) -> None:
        self.base = base_url.rstrip("/")
        self.http = requests.Session()
        self.timeout_s = timeout_s
        self._deps: list[dict] | None = None

    def get(self, path: str) -> requests.Response:
        return self.http.get(self.base + path, timeout=self.timeout_s)

    def deps(self) -> list[dict]:
        if self._deps is None:
            self.get("/")  # as a browser does first; Dash adds the pages' own callbacks on the first page
            self._deps = self.get("/_dash-dependencies").json()
        return self._deps

    def callback(self, output: str, values: dict, changed: str | None = None) -> requests.Response:
        """Post the callback whose output key starts with ``output`` (e.g. "up-report.children").

        ``values`` maps "id.property" to the value the page would send; missing ones are None.
        """
        body = callback_body(self.deps(), output, values, changed)
        return self.http.post(self.base + "/_dash-update-component", json=body, timeout=self.timeout_s)

    def page(self, path: str, search: str = "") -> requests.Response:
        """Render a page's content as the browser does after loading ``path``."""
        return self.callback(".._pages_content", {"_pages_location.pathname": path,
                                                  "_pages_location.search": search})

    def sign_in(self, username: str, password: str) -> requests.Response:
        """Fill in and post the sign-in form; return the response to the post (a 303 redirect)."""
        token = find_prop(self.page("/sign-in").json(), "name", "csrf_token")["value"]
        return self.http.post(self.base + "/auth/sign-in", data={
            "csrf_token": token, "username": username, "password": password, "lang": "en", "next": "/"},
            allow_redirects=False, timeout=self.timeout_s)


def fell_back(response: requests.Response) -> bool:
    """Whether a callback failed and the app showed its generic "something went wrong" message instead."""
    return '"sideUpdate"' in response.text and '"callback-error"' in response.text


def find_prop(node: object, key: str, value: str) -> dict:
    """The props of the first component in a callback response whose ``key`` prop is ``value``."""
    if isinstance(node, dict):
        props = node.get("props")
        if isinstance(props, dict) and props.get(key) == value:
            return props
        children = node.values()
    elif isinstance(node, list):
        children = node
    else:
        return {}
    for child in children:
        found = find_prop(child, key, value)
        if found:
            return found
    return {}


def text_of(response: requests.Response) -> str:
    """All the words a callback's response would put on the page, joined (for assertions)."""
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, str):
            found.append(node)
        elif isinstance(node, list):
            for n in node:
                walk(n)
        elif isinstance(node, dict):
            if "props" in node:
                walk(node["props"].get("children"))
            else:
                for v in node.values():
                    walk(v)

    walk(json.loads(response.text or "{}").get("response", {}))
    return " ".join(" ".join(found).split())


#: The ports a server started here may take (this machine's convention: 127.0.0.1, a random port in 18000-18999).
PORTS = range(18000, 19000)


@contextmanager
def serve(wsgi_app, ports: range = PORTS) -> Iterator[str]:
    """Serve ``wsgi_app`` on a free loopback port of ``ports`` in a thread (werkzeug, threaded); yield its address.

    The one way the tests, the screenshots and the browser benchmark serve an app. The server
    is shut down on leaving: its loop ends, and the requests still being answered finish in their own
    daemon threads (no ``SystemExit`` raised into them, as dash_duo's runner does).
    """
    from werkzeug.serving import make_server

    for port in random.sample(ports, min(20, len(ports))):
        try:
            server = make_server("127.0.0.1", port, wsgi_app, threaded=True)
            break
        except (OSError, SystemExit):  # taken by someone else's server (werkzeug says so and exits, raising no OSError)
            continue
    else:
        raise RuntimeError(f"no free port in {ports.start}-{ports.stop - 1}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
