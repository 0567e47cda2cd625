"""decarb compare on the sample returns: the JSON contract, and the planted problems found."""

from __future__ import annotations

import json

from decarb_dashboard.cli import main


def run(capsys, sample_store, *args: str) -> dict:
    assert main(["compare", *args, "--data-dir", str(sample_store.root), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_compare_json_keys_carry_units(capsys, sample_store):
    r = run(capsys, sample_store, "--org", "Cardiff", "--year", "2022-23")
    assert {"total_tco2e", "change_vs_baseline_pct", "change_vs_baseline_tco2e", "change_year_on_year_pct",
            "change_year_on_year_tco2e", "intensities", "peer_group", "trajectory", "quality_flags"} <= set(r)
    assert set(r["intensities"]) == {"tco2e_per_fte", "tco2e_per_resident", "buildings_kgco2e_per_m2",
                                     "tco2e_per_gbp_m"}
    assert {"category", "tco2e", "status", "change_vs_baseline_pct", "change_year_on_year_pct"} <= set(
        r["categories"][0])
    peer = r["peer_group"]
    assert peer["name"] == "type:council" and peer["peer_count"] == 22
    assert {"rank", "percentile", "quartile", "peer_median_total_tco2e"} <= set(peer)
    assert r["organisation"]["name"] == "Cardiff Council"


def test_the_planted_problems_are_flagged(capsys, sample_store):
    torfaen = run(capsys, sample_store, "--org", "torfaen", "--year", "2022-23")
    # The slip makes Torfaen's total per FTE an outlier among councils too.
    assert [(f["kind"], f["category"]) for f in torfaen["quality_flags"]] == [("unit_slip", "fleet"),
                                                                               ("outlier", None)]
    ceredigion = run(capsys, sample_store, "--org", "ceredigion", "--year", "2021-22")
    assert ("jump", "buildings") in [(f["kind"], f["category"]) for f in ceredigion["quality_flags"]]
    wrexham = run(capsys, sample_store, "--org", "wrexham", "--year", "2023-24")
    assert ("jump", "supply_chain") in [(f["kind"], f["category"]) for f in wrexham["quality_flags"]]


def test_peer_groups_and_metrics(capsys, sample_store):
    ccr = run(capsys, sample_store, "--org", "newport", "--year", "2022-23", "--peer-group", "ccr")
    assert ccr["peer_group"]["peer_count"] == 10
    region = run(capsys, sample_store, "--org", "newport", "--year", "2022-23", "--peer-group", "region",
                 "--metric", "per_fte")
    assert region["peer_group"]["name"] == "region:South East Wales"
    assert region["peer_group"]["metric"] == "tco2e_per_fte"
    park = run(capsys, sample_store, "--org", "eryri_npa", "--year", "2022-23", "--metric", "per_resident")
    assert park["peer_group"]["peer_count"] == 0
    assert set(park["peer_group"]["left_out"].values()) == {"no population figure for this body"}


def test_human_output_and_unknown_year(capsys, sample_store):
    assert main(["compare", "--org", "cardiff", "--year", "2022-23", "--data-dir", str(sample_store.root)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Cardiff Council, 2022-23\nTotal: ")
    assert "vs baseline: not in the scheme until 2021-22" in out
    assert main(["compare", "--org", "cardiff", "--year", "2031-32", "--data-dir", str(sample_store.root)]) == 2
