"""decarb overview: the all-Wales picture with its coverage, and one early return for a new year."""

from __future__ import annotations

import json

import pytest

from decarb_dashboard.cli import main
from tests.conftest import HEADER

#: What decarb submit needs besides the file: who approved the return, and their role.
DECLARED = ["--approved-by", "Jane Jones", "--approver-role", "Director of Resources"]


def overview(capsys, data_dir, year: str, *extra: str) -> dict:
    assert main(["overview", "--year", year, "--data-dir", str(data_dir), "--json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def own_store(tmp_path):
    from decarb_dashboard.registry import bundled_registry
    from decarb_dashboard.sample import seed
    from decarb_dashboard.store import SubmissionStore

    store = SubmissionStore(tmp_path / "data", durable=False)
    seed(store, bundled_registry())
    return store


def test_one_return_for_a_new_year_is_provisional_and_changes_no_earlier_year(capsys, own_store, tmp_path):
    before = overview(capsys, own_store.root, "2023-24")
    assert before["all_wales"]["coverage"]["bodies_reported"] == 45 and not before["all_wales"]["coverage"][
        "provisional"]
    early = tmp_path / "cardiff-2024-25.csv"
    early.write_text(HEADER + "\nCardiff Council,2024-25,Buildings,,,,,15000,,,\n"
                     "Cardiff Council,2024-25,Supply chain,,,,,95000,estimated,spend,\n", encoding="utf-8")
    assert main(["submit", str(early), "--data-dir", str(own_store.root), "--user", "test", *DECLARED]) == 0
    capsys.readouterr()

    assert overview(capsys, own_store.root, "2023-24") == before  # nothing earlier moves
    new = overview(capsys, own_store.root, "2024-25")
    w = new["all_wales"]
    assert w["total_tco2e"] == 110_000  # Cardiff's alone: a part, and it says how small a part
    assert (w["coverage"]["bodies_reported"], w["coverage"]["bodies_expected"]) == (1, 45)
    assert w["coverage"]["provisional"] is True and w["coverage"]["baseline_share_pct"] < 10
    assert w["like_for_like"]["bodies"] == ["cardiff"]
    # The all-Wales path starts from the all-Wales baseline, not Cardiff's 2019-20
    assert new["trajectory"]["baseline_tco2e"] == before["trajectory"]["baseline_tco2e"] > 1_000_000
    council = new["by_sector"]["council"]["coverage"]
    assert (council["bodies_reported"], council["bodies_expected"]) == (1, 22)
    # With gap-filling, every other body's latest figures stand in, and the total says so
    filled = overview(capsys, own_store.root, "2024-25", "--gap-fill")["all_wales"]
    assert filled["gap_filled_tco2e"] > 1_000_000 and len(filled["gap_fill"]["cells"]) > 44

    assert main(["compare", "--org", "cardiff", "--year", "2024-25", "--data-dir", str(own_store.root),
                 "--json"]) == 0
    peer = json.loads(capsys.readouterr().out)["peer_group"]
    assert (peer["coverage"]["bodies_reported"], peer["coverage"]["bodies_expected"]) == (1, 22)
    assert peer["coverage"]["provisional"] is True


def test_overview_text_says_the_coverage(capsys, sample_store):
    assert main(["overview", "--year", "2022-23", "--data-dir", str(sample_store.root)]) == 0
    out = capsys.readouterr().out
    assert "All Wales, 2022-23:" in out and "45 of 45 bodies reported, 100.0% of the 2019-20 emissions" in out
    assert "Includes 2 flagged figures: torfaen fleet (unit_slip)" in out
    assert main(["overview", "--year", "2031-32", "--data-dir", str(sample_store.root)]) == 2
