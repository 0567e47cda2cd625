"""The hostile corpus: every file gets a clear report or refusal, no traceback, bounded memory, no stored change."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from decarb_dashboard.accounts import AccountStore
from decarb_dashboard.store import SubmissionStore
from decarb_dashboard.web import create_app
from tests.conftest import REPO
from tests.dash_http import DashClient, fell_back, serve, text_of, upload_payload, upload_values

#: One worker runs this module, so that its module-scoped fixtures are made once, not once per worker.
pytestmark = pytest.mark.xdist_group("hostile")

HERE = Path(__file__).parent
with open(HERE / "MANIFEST.csv", encoding="utf-8") as _manifest:
    MANIFEST = list(csv.DictReader(_manifest))
#: Peak resident memory of a process validating the whole corpus (imports included).
MEMORY_LIMIT_MIB = 1024
#: Words from Python's insides that must never reach a council officer.
PYTHON_WORDS = ("Traceback", "Exception", "Error:", "KeyError", "ValueError", "TypeError", "errno", "b'", "\\x",
                "pandas", "openpyxl", "zipfile", "NoneType")
#: Components that could run or embed what an upload holds: none may appear in a response.
UNSAFE_TYPES = {"Script", "Iframe", "Object", "Embed", "Markdown"}
PASSWORD = "a long enough passphrase"
#: The exact problem some files must be reported with (the rest: any clear problem).
EXPECTED_CODES = {
    "old-excel.xls": "file_legacy_xls", "empty.csv": "file_empty", "million-newlines.csv": "file_empty",
    "utf32.csv": "file_type_unknown", "ebcdic.csv": "text_undecodable", "10000-columns.csv": "too_many_columns",
    "10000-columns.xlsx": "too_many_columns", "10000-cells-one-row.csv": "csv_malformed",
    "unclosed-quote.csv": "csv_malformed", "duplicate-columns.csv": "column_duplicate",
    "truncated-50pct.xlsx": "workbook_corrupt", "bomb-sheet.xlsx": "archive_bomb",
    "bomb-many-parts.xlsx": "archive_too_many_parts", "bomb-lying-sizes.xlsx": "workbook_corrupt",
    "billion-laughs.xlsx": "xml_entities", "billion-laughs-strings.xlsx": "xml_entities",
    "xxe.xlsx": "xml_entities", "encrypted.xlsx": "workbook_encrypted", "zip-encrypted-flag.xlsx": "workbook_encrypted",
    "error-cells.xlsx": "number_not_finite", "booleans.xlsx": "number_invalid", "many-lines.csv": "duplicate_line",
    "number-0.csv": "number_not_finite", "number-5.csv": "number_not_finite", "number-14.csv": "number_invalid",
    "formula-figure.csv": "number_invalid", "html-category-0.csv": "category_unknown",
    "empty-rows-2m.xlsx": "too_many_rows", "short-rows-30k.xlsx": "too_many_rows",
}


def test_the_corpus_has_over_a_hundred_files_and_lists_each_one():
    on_disk = sorted(p.name for p in (HERE / "files").iterdir())
    assert sorted(r["file"] for r in MANIFEST) == on_disk
    assert len(on_disk) >= 100
    assert {r["expect"] for r in MANIFEST} == {"valid", "invalid"}


@pytest.fixture(scope="module")
def results() -> dict[str, dict]:
    """Validate the corpus once, in its own process; return each file's result and the peak memory."""
    run = subprocess.run([sys.executable, "-m", "tests.hostile.run_corpus"], cwd=REPO, capture_output=True,
                         text=True, timeout=600)
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr[-3000:]
    lines = [json.loads(x) for x in run.stdout.splitlines()]
    out = {x["file"]: x for x in lines if "file" in x}
    out["_peak_mib"] = max(x["peak_mib"] for x in lines if "file" in x)
    return out


@pytest.mark.parametrize("case", MANIFEST, ids=[r["file"] for r in MANIFEST])
def test_each_file_gets_a_clear_report(results, case):
    result = results[case["file"]]
    for lang in ("en", "cy"):
        report = result[f"report_{lang}"]
        assert report["valid"] == (case["expect"] == "valid"), (case["what"], report["errors"][:3])
        problems = report["errors"] + report["warnings"]
        if not report["valid"]:
            assert report["errors"], case["what"]
        if case["file"] in EXPECTED_CODES:
            assert EXPECTED_CODES[case["file"]] in {e["code"] for e in report["errors"]}, report["errors"][:2]
        for p in problems:
            assert p["code"] != "internal_error", (case["what"], p)
            assert p["title"] and p["message"] and p["fix"], p
            text = f"{p['title']} {p['message']} {p['fix']}"
            assert not [w for w in PYTHON_WORDS if w in text], (case["what"], text)
            assert len(text) < 2000  # a 1 MB cell is quoted, not copied whole
            assert p["row"] is None or p["row"] >= 1


def test_memory_stays_bounded_over_the_whole_corpus(results):
    assert results["_peak_mib"] < MEMORY_LIMIT_MIB


@pytest.fixture(scope="module")
def site(sample_store, tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile") / "data"
    shutil.copytree(sample_store.root, root)
    AccountStore(root).add("officer", PASSWORD, "submitter", ["cardiff"], "Cardiff officer")
    with serve(create_app(root, seed=False).server) as url:
        browser = DashClient(url, timeout_s=120)
        browser.sign_in("officer", PASSWORD)
        yield browser, SubmissionStore(root)


def component_types(node: object) -> set[str]:
    if isinstance(node, list):
        return set().union(*(component_types(n) for n in node)) if node else set()
    if isinstance(node, dict):
        own = {node["type"]} if "type" in node and "props" in node else set()
        return own.union(*(component_types(v) for v in node.values()))
    return set()


@pytest.mark.parametrize("case", MANIFEST, ids=[r["file"] for r in MANIFEST])
def test_each_file_through_the_upload_page_changes_nothing_stored(site, case):
    browser, store = site
    before = (store.version(), len(store.submissions()))
    data = (HERE / "files" / case["file"]).read_bytes()
    values = upload_values(upload_payload(data), case["file"], "cardiff", "2022-23")
    checked = browser.callback("up-report.children", values)
    assert checked.status_code == 200 and "Traceback" not in checked.text
    assert not fell_back(checked), checked.text[:500]  # a specific message, never the generic fallback
    shown = text_of(checked)
    assert "There is a problem" in shown or "is ready to submit" in shown, shown[:300]
    assert not component_types(checked.json()) & UNSAFE_TYPES
    assert "dangerously_allow_html" not in checked.text
    if "<script>" in data.decode("utf-8", "replace") and "There is a problem" in shown:
        assert "<script>" in shown  # shown as the text it is, inside a text node
    if "There is a problem" in shown:
        submitted = browser.callback("..up-receipt.children", values)
        assert submitted.status_code == 200 and "Return submitted" not in text_of(submitted)
        assert not fell_back(submitted), submitted.text[:500]
    assert (store.version(), len(store.submissions())) == before


@pytest.mark.parametrize(("contents", "filename"), [
    ("data:text/csv;base64,@@not base64@@", "x.csv"),
    ("data:text/csv;base64,YWJj=", "x.csv"),
    ("no comma here", "x.csv"),
    ("data:text/csv;base64,", "x.csv"),
    ("", "x.csv"),
    (12345, "x.csv"),
    (["data:text/csv;base64,YQ=="], "x.csv"),
    ({"contents": "x"}, "x.csv"),
    ("data:text/csv;base64," + "A" * 16_000_000, "big.csv"),
    ("data:text/csv;base64,YQ==", "../../etc/passwd"),
    ("data:text/csv;base64,YQ==", 42),
    ("data:text/csv;base64,YQ==", "<script>alert(1)</script>" * 400),
], ids=["bad-chars", "bad-padding", "no-comma", "empty-base64", "empty", "number", "list", "object", "16MB",
        "path-traversal-name", "number-name", "long-script-name"])
def test_malformed_upload_payloads_are_refused_plainly(site, contents, filename):
    browser, store = site
    before = (store.version(), len(store.submissions()))
    for output in ("up-report.children", "..up-receipt.children"):
        r = browser.callback(output, upload_values(contents, filename, "cardiff", "2022-23"))
        assert r.status_code in (200, 413), r.text[:300]
        assert "Traceback" not in r.text and not fell_back(r), r.text[:300]
        if r.status_code == 200:
            shown = text_of(r)
            assert "could not be read" in shown or "There is a problem" in shown or "larger than" in shown, shown
    assert (store.version(), len(store.submissions())) == before


HOSTILE_VALUES = [None, 12345, -1.5, True, [], ["cardiff", None], {"id": "cardiff"}, "", "x" * 100_000,
                  "<script>alert(1)</script>", "../../etc/passwd", "cardiff'; DROP TABLE submissions; --", "ŵŷâ",
                  "2022-23"]


@pytest.mark.parametrize("role", ["submitter", "reviewer", "admin"])
def test_no_callback_fails_whatever_values_it_is_sent(sample_store, tmp_path, role):
    """Post every server callback with strange values in every input: always an answer, never a server error."""
    root = tmp_path / "data"
    shutil.copytree(sample_store.root, root)
    accounts = AccountStore(root)
    accounts.add("someone", PASSWORD, role, ["cardiff"] if role == "submitter" else [])
    accounts.add("spare", PASSWORD, "reviewer")
    store = SubmissionStore(root)
    before = (store.version(), len(store.submissions()))
    with serve(create_app(root, seed=False).server) as url:
        browser = DashClient(url)
        browser.sign_in("someone", PASSWORD)
        failures = []
        for dep in browser.deps():
            if dep.get("clientside_function") or "{" in dep["output"]:
                continue
            names = [f"{i['id']}.{i['property']}" for i in dep["inputs"] + dep.get("state", [])]
            for k in range(len(HOSTILE_VALUES)):
                # Each input in turn gets the strange value; the others get the next ones along.
                values = {n: HOSTILE_VALUES[(k + j) % len(HOSTILE_VALUES)] for j, n in enumerate(names)}
                r = browser.callback(dep["output"].lstrip("."), values)
                if r.status_code not in (200, 204) or "Traceback" in r.text:
                    failures.append((dep["output"], values, r.status_code, r.text[-300:]))
    assert failures == [], failures[:3]
    # Strange values never write: only an admin's disable/enable could, and "spare" is still enabled.
    assert (store.version(), len(store.submissions())) == before
    assert not accounts.get("spare").disabled
