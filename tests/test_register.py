"""The register is managed: decarb bodies add|edit|list, kept with its history in the store, used at once."""

from __future__ import annotations

import json

import pytest

from decarb_dashboard.cli import main
from decarb_dashboard.registry import RegisterError, add_body, bundled_registry, edit_body, load_registry
from decarb_dashboard.store import SubmissionStore
from tests.conftest import csv_bytes

#: What decarb submit needs besides the file: who approved the return, and their role.
DECLARED = ["--approved-by", "Jane Jones", "--approver-role", "Director of Resources"]

TFW = ["bodies", "add", "transport_for_wales", "--name", "Transport for Wales", "--name-cy", "Trafnidiaeth Cymru",
       "--type", "sponsored_body", "--region", "South East Wales", "--no-ccr", "--staff-fte", "3000",
       "--user", "admin"]


def test_a_body_added_with_the_cli_can_submit_at_once(tmp_path, capsys):
    d = str(tmp_path / "d")
    path = tmp_path / "tfw.csv"
    path.write_bytes(csv_bytes("Transport for Wales,2023-24,Buildings,Electricity,,,,40,,,"))
    assert main(["submit", str(path), "--data-dir", d, *DECLARED]) == 1  # not in the register yet
    assert main([*TFW, "--data-dir", d]) == 0
    assert "added transport_for_wales" in capsys.readouterr().out
    assert main(["submit", str(path), "--data-dir", d, "--user", "tfw", *DECLARED]) == 0
    capsys.readouterr()
    store = SubmissionStore(d)
    assert store.current_parts()["organisation_id"].tolist() == ["transport_for_wales"]
    assert len(load_registry(store.root)) == 46
    assert main(["bodies", "list", "--json", "--data-dir", d]) == 0
    listed = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert listed["transport_for_wales"]["name_cy"] == "Trafnidiaeth Cymru"
    assert listed["transport_for_wales"]["staff_fte"] == 3000.0
    assert listed["flintshire"]["own_baseline_year"] == "2018-19"


def test_an_edit_is_kept_with_who_when_and_what_changed(tmp_path):
    store = SubmissionStore(tmp_path)
    version = store.version()
    edit_body(tmp_path, "cardiff", {"own_baseline_year": "2018/19", "staff_fte": 12000.0}, actor="admin")
    assert store.version() > version  # the pages' caches see the change
    cardiff = load_registry(tmp_path).set_index("id").loc["cardiff"]
    assert (cardiff["own_baseline_year"], cardiff["staff_fte"]) == ("2018-19", 12000.0)
    change = store.register_history("cardiff")[-1]
    assert (change["actor"], change["action"]) == ("admin", "edit")
    assert change["changes"]["own_baseline_year"] == [None, "2018-19"]
    assert change["changes"]["staff_fte"][1] == 12000.0 and change["at"].endswith("Z")
    assert len(store.register_history()) == 45 + 1  # the bundled register copied in, then the edit


@pytest.mark.parametrize(("values", "message"), [
    ({"type": "university"}, "use one of council, health_board"),
    ({"region": "Narnia"}, "use one of North Wales, Mid Wales"),
    ({"own_baseline_year": "2018"}, "not a financial year"),
    ({"staff_fte": -5.0}, "above zero"),
    ({"name_en": "Cardiff Council"}, "already called"),
    ({"id": "Transport for Wales"}, "lower-case letters"),
    ({"ons_code": "X123"}, "does not fit the register"),
])
def test_a_wrong_value_is_refused_and_nothing_is_stored(tmp_path, values, message):
    body = {"id": "transport_for_wales", "name_en": "Transport for Wales", "type": "sponsored_body",
            "region": "South East Wales", **values}
    with pytest.raises(RegisterError, match=message):
        add_body(tmp_path, body, actor="admin")
    assert SubmissionStore(tmp_path).register_history() == []
    assert len(load_registry(tmp_path)) == len(bundled_registry())


def test_the_cli_says_what_is_wrong(tmp_path, capsys):
    d = str(tmp_path / "d")
    args = [a if a != "sponsored_body" else "railway" for a in TFW]
    assert main([*args, "--data-dir", d]) == 1
    err = capsys.readouterr().err
    assert "type 'railway' is not a type of body; use one of council" in err and "Nothing was stored." in err
    assert main([*TFW, "--data-dir", d]) == 0
    assert main([*TFW, "--data-dir", d]) == 1
    assert "already in the register" in capsys.readouterr().err
    assert main(["bodies", "edit", "nowhere", "--name", "X", "--data-dir", d]) == 1


def test_a_register_edit_in_postgresql_is_the_register_of_every_server(tmp_path, postgres_url, monkeypatch):
    # Two servers, each with its own empty data directory, one database: an edit through one is the other's register.
    monkeypatch.setenv("DECARB_DATABASE_URL", postgres_url)
    one, other = tmp_path / "one", tmp_path / "other"
    edit_body(one, "cardiff", {"staff_fte": 12345.0}, actor="admin")
    assert not (other / "store.sqlite").exists()
    assert load_registry(other).set_index("id").loc["cardiff", "staff_fte"] == 12345.0
