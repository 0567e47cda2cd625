"""The projects upload page (issue 18) over HTTP as the browser sends it: a body's submitter checks a projects
file (every problem in the upload page's error summary), submits it, and sees the projects kept."""

from __future__ import annotations

import pytest

from decarb_dashboard.store import SubmissionStore
from decarb_dashboard.web import create_app
from tests.dash_http import DashClient, fell_back, find_prop, serve, text_of, upload_payload
from tests.test_projects import BAD, THREE, projects_csv
from tests.web.conftest import PASSWORD


@pytest.fixture
def officer(site):
    """The site served, Cardiff's officer signed in; and the store."""
    with serve(create_app(site, seed=False).server) as url:
        client = DashClient(url)
        assert client.sign_in("officer", PASSWORD).status_code == 303
        yield client, SubmissionStore(site), url


def values(data: bytes, lang: str = "en") -> dict:
    return {"pu-file.contents": upload_payload(data), "pu-file.filename": "projects.csv", "pu-body.value": "cardiff",
            "pu-lang.data": lang, "pu-submit.n_clicks": 1}


def test_a_file_with_problems_or_another_body_s_is_refused_in_words_and_stores_nothing(officer):
    client, store, url = officer
    checked = client.callback("pu-report.children", values(projects_csv(*BAD), "cy"))
    assert checked.status_code == 200 and not fell_back(checked)
    assert find_prop(checked.json(), "id", "error-summary") is not None
    assert "Mae 2060-61 y tu allan i'r blynyddoedd cychwyn a dderbynnir, 2019-20 i 2050-51." in text_of(checked)
    submitted = client.callback("..pu-receipt.children", values(projects_csv(*BAD), "cy"))
    assert "Ni chafodd dim ei gadw" in text_of(submitted)
    assert store.current_projects().empty
    # Only the body's own submitters may upload its projects (one app for both: each costs seconds to build).
    anonymous = DashClient(url)
    assert "You need to sign in to upload your body's projects." in text_of(anonymous.page("/projects/upload"))
    client.callback("..pu-receipt.children", values(projects_csv(*THREE)) | {"pu-body.value": "swansea"})
    assert store.current_projects().empty


def test_a_valid_file_is_submitted_and_becomes_the_body_s_current_projects(officer):
    client, store, _ = officer
    checked = client.callback("pu-report.children", values(projects_csv(*THREE)))
    assert "projects.csv: no problems. 3 projects for Cardiff, ready to submit." in text_of(checked)
    submitted = client.callback("..pu-receipt.children", values(projects_csv(*THREE)))
    assert submitted.status_code == 200 and not fell_back(submitted), submitted.text[:300]
    shown = text_of(submitted)
    assert "Stored as CARDIFF-PROJECTS-01: these 3 projects are now your body's current projects." in shown
    assert "-1,200,000 kWh" in shown and "£450,000" in shown
    assert store.current_projects("cardiff")["project"].tolist() == [
        "LED street lighting", "Fleet electrification", "Heat pumps at County Hall"]
    assert store.projects_history("cardiff")[0]["submitted_by"] == "officer"

