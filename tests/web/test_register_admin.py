"""The register on the admin page: add a body, change one, refused changes store nothing, both languages."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

import dash
import flask
import pytest

from decarb_dashboard.accounts import Account
from decarb_dashboard.registry import load_registry
from decarb_dashboard.store import SubmissionStore
from decarb_dashboard.web import create_app, register_admin

FIELDS = {"id": "transport_for_wales", "name_en": "Transport for Wales", "name_cy": "Trafnidiaeth Cymru",
          "own_baseline_year": "2019/20", "population": "", "staff_fte": "3,000", "floor_area_m2": "",
          "gross_expenditure_gbp_m": ""}


@pytest.fixture
def app(sample_store, tmp_path):
    root = tmp_path / "data"
    shutil.copytree(sample_store.root, root)
    return create_app(root, seed=False)


@contextlib.contextmanager
def as_role(app, role: str):
    with app.server.test_request_context():
        flask.g.decarb_account = Account(f"test.{role}", "Test", role, ("cardiff",) if role == "submitter" else (),
                                         False, 0)
        yield


def save(body: str, fields: dict, kind: str | None, region: str | None, lang: str = "en") -> tuple:
    values = [fields[column] for _key, column, _label, _number in register_admin.FIELDS]
    return register_admin.save(1, body, *values, kind, region, lang)


def test_an_admin_adds_a_body_and_it_is_in_the_register_with_its_history(app):
    root = Path(app.server.config["DECARB_DATA_DIR"])
    with as_role(app, "admin"):
        outcome, history = save(register_admin.NEW, FIELDS, "sponsored_body", "South East Wales")
    assert "Added Transport for Wales (transport_for_wales) to the register." in str(outcome)
    row = load_registry(root).set_index("id").loc["transport_for_wales"]
    assert (row["name_cy"], row["staff_fte"], row["own_baseline_year"]) == ("Trafnidiaeth Cymru", 3000.0, "2019-20")
    (change,) = [h for h in SubmissionStore(root).register_history() if h["action"] != "seed"]
    assert (change["actor"], change["action"], change["organisation_id"]) == ("test.admin", "add",
                                                                               "transport_for_wales")
    assert "test.admin" in str(history)


def test_an_admin_changes_a_body_from_its_current_values(app):
    root = Path(app.server.config["DECARB_DATA_DIR"])
    with as_role(app, "admin"):
        *values, kind, region, id_locked = register_admin.fill("cardiff", "en")
        assert id_locked is True and (kind, region) == ("council", "South East Wales")
        current = dict(zip([c for _k, c, _l, _n in register_admin.FIELDS], values, strict=True))
        assert current["id"] == "cardiff" and current["name_en"] == "Cardiff Council"
        outcome, _ = save("cardiff", {**current, "own_baseline_year": "2018-19"}, kind, region)
    assert "Saved the changes to Cardiff Council." in str(outcome)
    assert load_registry(root).set_index("id").at["cardiff", "own_baseline_year"] == "2018-19"
    (change,) = [h for h in SubmissionStore(root).register_history() if h["action"] != "seed"]
    assert change["changes"] == {"own_baseline_year": [None, "2018-19"]}


def test_a_refused_change_says_why_in_welsh_and_stores_nothing(app):
    root = Path(app.server.config["DECARB_DATA_DIR"])
    before = len(load_registry(root))
    with as_role(app, "admin"):
        outcome, unchanged = save(register_admin.NEW, {**FIELDS, "staff_fte": "lots"}, "sponsored_body",
                                "South East Wales", "cy")
        text = str(outcome)
        assert unchanged is dash.no_update
        assert "Ni chadwyd y corff: rhaid i staff_fte fod yn rhif uwchlaw sero, nid 'lots'" in text
        outcome, _ = save(register_admin.NEW, FIELDS, None, "South East Wales")
        assert "type None is not a type of body; use one of council" in str(outcome)
    assert len(load_registry(root)) == before and SubmissionStore(root).register_history() == []


def test_only_an_admin_may_change_the_register(app):
    root = Path(app.server.config["DECARB_DATA_DIR"])
    for role in ("submitter", "reviewer"):
        with as_role(app, role):
            outcome, _ = save(register_admin.NEW, FIELDS, "sponsored_body", "South East Wales")
        assert "You cannot do this with your account" in str(outcome)
    assert SubmissionStore(root).register_history() == []
