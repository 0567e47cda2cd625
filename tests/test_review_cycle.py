"""The review cycle (issue 14): warnings explained once per group, the declaration, duplicates, decisions."""

from __future__ import annotations

import pytest

from decarb_dashboard import review
from decarb_dashboard.accounts import Account
from decarb_dashboard.engine import Engine
from decarb_dashboard.review import ReturnRefused, decide, submit_return, warnings_to_explain
from decarb_dashboard.store import StatusChanged, SubmissionStore
from tests.conftest import HEADER, check, csv_bytes
from uploads_schema.vocabulary import vocabulary

DECLARATION = {"approved_by": "Jane Jones", "approver_role": "Director of Resources"}
#: Cardiff 2021-22, stored first: Waste 10 tCO2e, Buildings electricity 100 tCO2e.
CARDIFF_2021 = ["Cardiff,2021-22,Waste,,,,,10,,,", "Cardiff,2021-22,Buildings,Electricity,,,,100,,,"]
#: Cardiff 2022-23 with two warnings of one kind (rows 2 and 3: text read as a status) and Waste up 900% on 2021-22.
WARNED = ["Cardiff,2022-23,Water,,,,,N/A,,,", "Cardiff,2022-23,Commuting,,,,,-,,,",
          "Cardiff,2022-23,Waste,,,,,100,,,", "Cardiff,2022-23,Buildings,Electricity,,,,110,,,"]
OFFICER = Account("cardiff.officer", "Cardiff officer", "submitter", ("cardiff",), False, 0)
NEWPORT_OFFICER = Account("newport.officer", "Newport officer", "submitter", ("newport",), False, 0)
REVIEWER = Account("wg.reviewer", "Reviewer", "reviewer", (), False, 0)


@pytest.fixture
def store(tmp_path) -> SubmissionStore:
    s = SubmissionStore(tmp_path / "data")
    first = check(*CARDIFF_2021)
    s.submit(first.lines, csv_bytes(*CARDIFF_2021), submitted_by="sample data")
    return s


def engine_of(store: SubmissionStore) -> Engine:
    return Engine.from_store(store)


def warned():
    report = check(*WARNED)
    assert report.valid
    return report, csv_bytes(*WARNED)


EXPLAINED = {"status_from_cell": "Water and commuting are not applicable to us",
             "stored:change": "Waste now includes the household recycling centres"}


def submitted(store: SubmissionStore):
    report, raw = warned()
    return submit_return(store, engine_of(store), report, raw, submitted_by="cardiff.officer", file_name="r.csv",
                         explanations=EXPLAINED, declaration=DECLARATION)


# ---- what must be explained ---------------------------------------------------------------------------
def test_warnings_are_grouped_by_code_and_by_kind_of_check_against_stored_figures(store):
    report, _ = warned()
    groups = warnings_to_explain(report, engine_of(store))
    assert [(g.key, g.count, g.rows) for g in groups] == [("status_from_cell", 2, (2, 3)), ("stored:change", 1, ())]
    assert groups[0].text("en") == "Text read as a status: spreadsheet rows 2, 3."
    assert groups[0].text("cy") == "Testun wedi'i ddarllen fel statws: rhesi'r daenlen 2, 3."
    # 10 -> 100 tCO2e is +900% on 2021-22
    assert groups[1].text("en") == ("More than 50% up or down on the body's figure for the year before: "
                                    "Waste 2022-23, +900% on 2021-22 (10.0 to 100.0 tCO2e).")
    assert groups[1].text("cy").startswith("Mwy na 50% i fyny neu i lawr") and "Gwastraff 2022-23, +900%" in \
        groups[1].text("cy")


def test_a_warning_without_a_row_is_counted_in_its_sentence(store):
    report = check("Cardiff,2022-23,Water,,,,,5,,,,x", header=HEADER + ",colour")
    [group] = warnings_to_explain(report, engine_of(store))
    assert (group.key, group.count, group.rows) == ("column_unknown", 1, ())
    assert group.text("en") == "Columns that are not part of the return (1 in the file)."


# ---- submitting ------------------------------------------------------------------------------------
def test_a_return_is_stored_with_its_declaration_and_each_group_s_explanation_in_both_languages(store):
    s = submitted(store)
    assert s.declaration == DECLARATION and s.reference == "CARDIFF-2022-23-01" and s.status == "submitted"
    assert [(w["key"], w["count"], w["rows"], w["explanation"]) for w in s.warnings] == [
        ("status_from_cell", 2, [2, 3], EXPLAINED["status_from_cell"]),
        ("stored:change", 1, [], EXPLAINED["stored:change"])]
    assert s.warnings[0]["text"] == {"en": "Text read as a status: spreadsheet rows 2, 3.",
                                     "cy": "Testun wedi'i ddarllen fel statws: rhesi'r daenlen 2, 3."}
    assert store.submission(s.submission_id).warnings == s.warnings  # as stored


@pytest.mark.parametrize("declaration", [{}, {"approved_by": "Jane Jones"},
                                         {"approved_by": " ", "approver_role": "CEO"}, None])
def test_a_return_without_a_full_declaration_is_refused_and_nothing_stored(store, declaration):
    report, raw = warned()
    with pytest.raises(ReturnRefused) as refused:
        submit_return(store, engine_of(store), report, raw, submitted_by="o", file_name="r.csv",
                      explanations=EXPLAINED, declaration=declaration)
    assert refused.value.code == "no_declaration"
    assert "senior officer who approved" in refused.value.reason("en")
    assert "uwch swyddog a gymeradwyodd" in refused.value.reason("cy")
    assert len(store.submissions()) == 1


def test_an_unexplained_or_barely_explained_group_is_refused_naming_it(store):
    report, raw = warned()
    with pytest.raises(ReturnRefused) as refused:
        submit_return(store, engine_of(store), report, raw, submitted_by="o", file_name="r.csv",
                      explanations={"status_from_cell": "n/a here", "stored:change": EXPLAINED["stored:change"]},
                      declaration=DECLARATION)  # "n/a here" is 8 characters, under 10
    assert refused.value.code == "unexplained" and refused.value.groups == ("status_from_cell",)
    assert refused.value.reason("en") == ("Explain each warning before you submit (at least 10 characters each); "
                                          "still unexplained: Text read as a status.")
    assert refused.value.reason("cy").endswith("heb eu hegluro o hyd: Testun wedi'i ddarllen fel statws.")
    assert len(store.submissions()) == 1


def test_an_invalid_return_is_refused(store):
    report = check("Cardiff,2022-23,Bulidings,,,,,5,,,")
    with pytest.raises(ReturnRefused) as refused:
        submit_return(store, engine_of(store), report, b"x", submitted_by="o", file_name="r.csv", explanations={},
                      declaration=DECLARATION)
    assert refused.value.code == "not_valid"


def test_the_same_file_again_is_refused_naming_the_stored_receipt(store):
    first = submitted(store)
    with pytest.raises(ReturnRefused) as refused:
        submitted(store)
    assert refused.value.code == "duplicate"
    assert f"as CARDIFF-2022-23-01 ({first.submission_id})" in refused.value.reason("en")
    assert f"fel CARDIFF-2022-23-01 ({first.submission_id})" in refused.value.reason("cy")
    assert len(store.submissions()) == 2


# ---- deciding -------------------------------------------------------------------------------------
def test_the_transitions_are_declared_as_data():
    moves = {(t.from_status, t.action): (t.to_status, t.who, t.message_required)
             for t in vocabulary().review_transitions}
    assert moves[("submitted", "accept")] == ("accepted", "reviewer", False)
    assert moves[("submitted", "query")] == ("queried", "reviewer", True)
    assert moves[("accepted", "reopen")] == ("submitted", "reviewer", True)
    assert moves[("queried", "reply")] == ("submitted", "submitter", True)
    assert ("accepted", "withdraw") not in moves  # an accepted return is locked: only a reviewer reopens it


def test_query_reply_accept_reopen_with_messages_recorded_in_the_thread(store):
    s = submitted(store)
    with pytest.raises(ReturnRefused) as refused:
        decide(store, s.submission_id, "query", actor=REVIEWER)
    assert refused.value.code == "message_required"
    assert refused.value.reason("cy") == "Mae angen neges yn dweud pam ar gyfer “holi”: ysgrifennwch un a rhowch " \
                                         "gynnig arall arni."
    assert decide(store, s.submission_id, "query", actor=REVIEWER, message="Why is waste ten times up?").status \
        == "queried"
    replied = decide(store, s.submission_id, "reply", actor=OFFICER, message="Recycling centres added")
    assert (replied.status, replied.status_message) == ("submitted", "Recycling centres added")
    assert decide(store, "cardiff-2022-23-01", "accept", actor=REVIEWER).status == "accepted"  # by its reference
    reopened = decide(store, s.submission_id, "reopen", actor="wg.lead", message="Figures restated by the body")
    assert reopened.status == "submitted"
    log = [(e["actor"], e["action"], e["status"], e["message"]) for e in store.audit_log(s.submission_id)]
    assert log == [("cardiff.officer", "submit", "submitted", "r.csv"),
                   ("wg.reviewer", "query", "queried", "Why is waste ten times up?"),
                   ("cardiff.officer", "reply", "submitted", "Recycling centres added"),
                   ("wg.reviewer", "accept", "accepted", None),
                   ("wg.lead", "reopen", "submitted", "Figures restated by the body")]


def test_who_may_make_each_move(store):
    s = submitted(store)
    for actor, action in ((OFFICER, "accept"), (NEWPORT_OFFICER, "withdraw"), (REVIEWER, "withdraw")):
        with pytest.raises(ReturnRefused) as refused:
            decide(store, s.submission_id, action, actor=actor)
        assert refused.value.code == "not_permitted"
    decide(store, s.submission_id, "query", actor=REVIEWER, message="please check")
    with pytest.raises(ReturnRefused) as refused:
        decide(store, s.submission_id, "reply", actor=REVIEWER, message="I reply for them")
    assert refused.value.code == "not_permitted"
    assert decide(store, s.submission_id, "withdraw", actor=OFFICER).status == "withdrawn"
    with pytest.raises(ReturnRefused) as refused:  # withdrawn is final
        decide(store, s.submission_id, "accept", actor=REVIEWER)
    assert refused.value.code == "not_allowed"
    assert refused.value.reason("en") == "A return that is withdrawn cannot be given “accept”; what can be done " \
                                         "now: -."


def test_a_move_from_a_status_that_has_changed_meanwhile_changes_nothing(store):
    s = submitted(store)
    decide(store, s.submission_id, "accept", actor=REVIEWER)
    with pytest.raises(StatusChanged):  # a second reviewer's query, decided on the page while it was "submitted"
        store.change_status(s.submission_id, "queried", actor="other", action="query", from_status="submitted",
                            message="?")
    assert store.submission(s.submission_id).status == "accepted"


def test_an_unknown_submission_is_refused_in_words(store):
    with pytest.raises(ReturnRefused) as refused:
        decide(store, "s-nope", "accept", actor=REVIEWER)
    assert refused.value.code == "unknown_submission" and "There is no submission s-nope" in refused.value.reason()


def test_every_event_is_announced_once_through_one_function(store, monkeypatch):
    said = []
    monkeypatch.setattr(review, "_announce", lambda event, s, actor, message, **_: said.append((event, actor, message)))
    s = submitted(store)
    decide(store, s.submission_id, "query", actor=REVIEWER, message="why?")
    decide(store, s.submission_id, "reply", actor=OFFICER, message="because")
    decide(store, s.submission_id, "accept", actor=REVIEWER)
    assert said == [("submitted", "cardiff.officer", None), ("queried", "wg.reviewer", "why?"),
                    ("replied", "cardiff.officer", "because"), ("accepted", "wg.reviewer", None)]


# ---- deadlines and the publication setting -----------------------------------------------------------
def test_the_default_deadline_is_30_september_after_the_year_ends_and_a_file_overrides_it(tmp_path, monkeypatch):
    import datetime as dt

    from decarb_dashboard import deadlines

    monkeypatch.delenv("DECARB_DEADLINES_CSV", raising=False)
    assert deadlines.deadline("2024-25") == dt.date(2025, 9, 30)
    # the day ends at midnight in Wales: 22:59 UTC on 30 September is 23:59 BST, 23:00 UTC is 1 October
    assert not deadlines.is_late("2024-25", "2025-09-30T22:59:59Z")
    assert deadlines.is_late("2024-25", "2025-09-30T23:00:00Z")
    assert not deadlines.is_late("2024-25", None)
    path = tmp_path / "deadlines.csv"
    path.write_text("reporting_year,deadline\n2024-25,2025-10-31\n")
    monkeypatch.setenv("DECARB_DEADLINES_CSV", str(path))
    assert deadlines.deadline("2024-25") == dt.date(2025, 10, 31)
    assert deadlines.deadline("2023-24") == dt.date(2024, 9, 30)  # a year the file leaves out keeps the rule
    assert not deadlines.is_late("2024-25", "2025-10-01T09:00:00Z")


def test_a_deadlines_file_that_is_not_years_and_dates_is_refused_in_words(tmp_path, monkeypatch):
    from decarb_dashboard import deadlines
    from decarb_dashboard.config import ConfigurationError

    path = tmp_path / "deadlines.csv"
    path.write_text("reporting_year,deadline\n2024-25,30/09/2025\n")
    monkeypatch.setenv("DECARB_DEADLINES_CSV", str(path))
    with pytest.raises(ConfigurationError, match="row 2: '2024-25', '30/09/2025' is not a financial year and an ISO"):
        deadlines.deadline("2024-25")


@pytest.mark.parametrize(("value", "accepted_only"), [(None, False), ("all", False), ("accepted", True),
                                                      ("Accepted", True)])
def test_the_publication_setting(monkeypatch, value, accepted_only):
    from decarb_dashboard import config

    if value is None:
        monkeypatch.delenv("DECARB_PUBLISH", raising=False)
    else:
        monkeypatch.setenv("DECARB_PUBLISH", value)
    assert config.publish_accepted_only() is accepted_only


def test_an_unknown_publication_setting_is_refused(monkeypatch):
    from decarb_dashboard import config

    monkeypatch.setenv("DECARB_PUBLISH", "approved")
    with pytest.raises(config.ConfigurationError, match="set it to accepted"):
        config.publish_accepted_only()
    with pytest.raises(config.ConfigurationError, match="DECARB_PUBLISH is 'approved'"):  # the app does not start
        config.web_settings()


def test_decarb_compare_publishes_accepted_returns_only_when_set(store, monkeypatch, capsys):
    from decarb_dashboard.cli import main

    s = submitted(store)
    argv = ["compare", "--org", "cardiff", "--year", "2022-23", "--json", "--data-dir", str(store.root)]
    monkeypatch.setenv("DECARB_PUBLISH", "accepted")
    assert main(argv) == 2  # nothing accepted for 2022-23 yet
    decide(store, s.submission_id, "accept", actor=REVIEWER)
    capsys.readouterr()
    assert main(argv) == 0
    assert '"total_tco2e": 210.0' in capsys.readouterr().out


# ---- the review view, the queue and the Wales page's statuses ------------------------------------------
OTHERS = {"newport": 50, "torfaen": 150, "swansea": 300}  # councils' Waste 2022-23, tCO2e


def with_peers_and_a_resubmission(store: SubmissionStore):
    for body, tco2e in OTHERS.items():
        report = check(f"{body},2022-23,Waste,,,,,{tco2e},,,")
        store.submit(report.lines, csv_bytes(f"{body},2022-23,Waste,,,,,{tco2e},,,"), submitted_by=body)
    first = submitted(store)
    again = [line.replace(",100,", ",90,") for line in WARNED]  # Waste 100 -> 90 tCO2e
    report = check(*again)
    second = submit_return(store, engine_of(store), report, csv_bytes(*again), submitted_by="cardiff.officer",
                           file_name="r2.csv", explanations=EXPLAINED, declaration=DECLARATION)
    return first, second


def test_the_review_view_of_a_resubmission(store, monkeypatch):
    monkeypatch.delenv("DECARB_DEADLINES_CSV", raising=False)
    first, second = with_peers_and_a_resubmission(store)
    view = review.review_view(store, engine_of(store), second.submission_id)
    assert (view["reference"], view["organisation_id"], view["reporting_year"]) == \
        ("CARDIFF-2022-23-02", "cardiff", "2022-23")
    # 110 (electricity, scope 2) + 90 (waste, scope 3); water not applicable and commuting not reported: null
    assert view["totals"]["total_tco2e"] == 200.0
    assert view["totals"]["by_category"]["buildings"] == 110.0 and view["totals"]["by_category"]["waste"] == 90.0
    assert view["totals"]["by_category"]["water"] is None and view["totals"]["by_category"]["commuting"] is None
    assert view["totals"]["by_scope"] == {"1": None, "2": 110.0, "3": 90.0, "unsplit": None}
    assert view["previous_year"]["reporting_year"] == "2021-22" and view["previous_year"]["total_tco2e"] == 110.0
    changes = view["changes_vs_previous_version"]
    assert (changes["previous_submission_id"], changes["previous_reference"]) == (first.submission_id,
                                                                                  "CARDIFF-2022-23-01")
    assert changes["changes"] == [{"category": "waste", "source": None, "scope": 3, "change": "changed",
                                   "before_tco2e": 100.0, "after_tco2e": 90.0}]
    assert changes["totals_before"]["total_tco2e"] == 210.0
    assert review.change_in_words(changes["changes"][0], "en") == "Waste: 100.0 → 90.0 tCO2e"
    assert review.change_in_words(changes["changes"][0], "cy") == "Gwastraff: newidiwyd o 100.0 i 90.0 tCO2e"
    # the other councils 50, 150, 300: q1 100, median 150, q3 225; 200 would be 3rd of 4, in quartile 3
    assert view["peer_range"] == {"group": "type:council", "n": 3, "q1_tco2e": 100.0, "median_tco2e": 150.0,
                                  "q3_tco2e": 225.0, "value_tco2e": 200.0, "rank": 3, "quartile": 3}
    assert [w["key"] for w in view["warnings"]] == ["status_from_cell", "stored:change"]
    assert view["warnings"][0]["explanation"] == EXPLAINED["status_from_cell"]
    assert view["declaration"] == DECLARATION
    assert (view["deadline"], view["late"]) == ("2023-09-30", True)
    assert [(e["reference"], e["action"]) for e in view["thread"]] == [("CARDIFF-2022-23-01", "submit"),
                                                                      ("CARDIFF-2022-23-02", "submit")]


def test_a_first_return_has_no_previous_version_and_a_line_added_or_removed_is_said(store):
    s = submitted(store)
    view = review.review_view(store, engine_of(store), s.submission_id)
    assert view["changes_vs_previous_version"] is None and view["status"] == "submitted"
    added = {"category": "buildings", "source": "electricity", "scope": 2, "change": "added", "before_tco2e": None,
             "after_tco2e": 1350.5}
    assert review.change_in_words(added, "en") == "Buildings, electricity: added, 1,350.5 tCO2e"
    assert review.change_in_words({**added, "change": "removed", "before_tco2e": 1200.0}, "cy") == \
        "Adeiladau, trydan: tynnwyd (roedd yn 1,200.0 tCO2e)"
    assert review.change_in_words({**added, "change": "changed", "before_tco2e": None}, "en") == \
        "Buildings, electricity: no figure → 1,350.5 tCO2e"
    with pytest.raises(ReturnRefused) as refused:
        review.review_view(store, engine_of(store), s.submission_id, "newport", "2022-23")
    assert refused.value.code == "not_part"


def test_the_queue_has_each_part_awaiting_review_with_its_figures(store, monkeypatch):
    monkeypatch.delenv("DECARB_DEADLINES_CSV", raising=False)
    _first, second = with_peers_and_a_resubmission(store)
    rows = {(r["reference"], r["organisation_id"]): r for r in review.queue(store, engine_of(store))}
    assert list(next(iter(rows.values()))) == review.QUEUE_COLUMNS
    latest = rows[("CARDIFF-2022-23-02", "cardiff")]
    # like for like over buildings and waste: (110 + 90) - (100 + 10) = +90 on 110, +81.8182%
    assert (latest["total_tco2e"], latest["previous_total_tco2e"], latest["change_on_last_year_pct"]) == \
        (200.0, 110.0, 81.8182)
    assert (latest["warning_count"], latest["late"], latest["submitted_by"]) == (3, True, "cardiff.officer")
    assert isinstance(latest["quality_flag_count"], int)
    superseded = rows[("CARDIFF-2022-23-01", "cardiff")]  # still awaiting review: its own figures, no flags
    assert (superseded["total_tco2e"], superseded["change_on_last_year_pct"], superseded["quality_flag_count"]) == \
        (210.0, 90.9091, None)
    assert rows[("NEWPORT-2022-23-01", "newport")]["previous_total_tco2e"] is None
    decide(store, second.submission_id, "query", actor=REVIEWER, message="why?")
    queried = review.queue(store, engine_of(store), status="queried")
    assert [r["reference"] for r in queried] == ["CARDIFF-2022-23-02"]
    assert review.queue(store, engine_of(store), sector="health_board") == []
    flagged, clear = (review.queue(store, engine_of(store), flagged=f) for f in (True, False))
    assert all(r["quality_flag_count"] > 0 for r in flagged) and all(r["quality_flag_count"] == 0 for r in clear)
    assert len(flagged) + len(clear) == len(review.queue(store, engine_of(store))) - 1  # the superseded row


def test_the_queue_is_oldest_first_with_its_flags_counted_and_follows_a_decision_at_once(store):
    """Worked by hand: Cardiff 2021-22 (110 tCO2e, no year before it); Cardiff 2022-23 (210 tCO2e: Waste 10 -> 100,
    one jump flag; like for like over buildings and waste (110 + 100) - (100 + 10) = +100 on 110, +90.9091%);
    Newport 2022-23 (7 tCO2e, nothing to compare). The queue is kept per store version: a decision shows at once."""
    s = submitted(store)
    report = check("Newport,2022-23,Waste,,,,,7,,,")
    store.submit(report.lines, csv_bytes("Newport,2022-23,Waste,,,,,7,,,"), submitted_by="newport.officer")
    engine = engine_of(store)
    fields = ["reference", "reporting_year", "status", "quality_flag_count", "total_tco2e", "previous_total_tco2e",
              "change_on_last_year_pct"]
    assert [[r[f] for f in fields] for r in review.queue(store, engine)] == [
        ["CARDIFF-2021-22-01", "2021-22", "submitted", 0, 110.0, None, None],
        ["CARDIFF-2022-23-01", "2022-23", "submitted", 1, 210.0, 110.0, 90.9091],
        ["NEWPORT-2022-23-01", "2022-23", "submitted", 0, 7.0, None, None],
    ]
    assert [r["reference"] for r in review.queue(store, engine, flagged=True)] == ["CARDIFF-2022-23-01"]
    decide(store, s.submission_id, "query", actor=REVIEWER, message="Why is waste ten times last year's?")
    assert [r["reference"] for r in review.queue(store, engine, status="queried")] == ["CARDIFF-2022-23-01"]
    assert [r["reference"] for r in review.queue(store, engine, status="submitted")] == [
        "CARDIFF-2021-22-01", "NEWPORT-2022-23-01"]


def test_every_expected_body_has_a_status_for_the_wales_page(store, tmp_path, monkeypatch):
    from decarb_dashboard.registry import bundled_registry

    s = submitted(store)
    decide(store, s.submission_id, "accept", actor=REVIEWER)
    monkeypatch.delenv("DECARB_DEADLINES_CSV", raising=False)
    registry = bundled_registry()
    rows = review.body_statuses(store, registry, "2022-23").set_index("organisation_id")
    assert len(rows) == len(registry) and list(rows.columns) == review.BODY_STATUS_COLUMNS[1:]
    assert (rows.at["cardiff", "status"], rows.at["cardiff", "reference"]) == ("accepted", "CARDIFF-2022-23-01")
    assert rows.at["newport", "status"] == "not_submitted" and rows.at["newport", "reference"] is None
    assert rows["late"].all()  # 30 September 2023 has passed: Cardiff came in late, the others are overdue
    path = tmp_path / "deadlines.csv"
    path.write_text("reporting_year,deadline\n2022-23,2099-09-30\n")
    monkeypatch.setenv("DECARB_DEADLINES_CSV", str(path))
    rows = review.body_statuses(store, registry, "2022-23").set_index("organisation_id")
    assert not rows["late"].any() and str(rows.at["cardiff", "deadline"]) == "2099-09-30"


def test_the_review_view_of_a_sample_correction_shows_what_it_changed(sample_store):
    # (its speed is measured by benchmarks/bench_review.py, not asserted here)
    engine = engine_of(sample_store)
    cardiff = [s for s in sample_store.history("cardiff", "2022-23")][-1]
    view = review.review_view(sample_store, engine, cardiff.submission_id, "cardiff", "2022-23")
    assert view["changes_vs_previous_version"] is not None  # the sample's corrected return


def test_the_sample_returns_are_history_never_late_but_a_return_sent_after_them_can_be(sample_store, tmp_path):
    from decarb_dashboard.registry import bundled_registry

    # Every sample return was stored in 2026, long after 30 September 2023, yet none is late: nobody sent them.
    statuses = review.body_statuses(sample_store, bundled_registry(), "2022-23")
    assert len(statuses) == 45 and not statuses["late"].any()
    assert not any(r["late"] for r in review.queue(sample_store, engine_of(sample_store)))
    # A first return for a year sent after the samples were loaded, and after its deadline, is late.
    history = sample_store.history_until()
    assert history is not None
    assert review.deadlines.is_late("2022-23", "2099-01-01T00:00:00Z", history)
    assert not review.deadlines.is_late("2022-23", history, history)


# ---- the command line ---------------------------------------------------------------------------------
DECLARED = ["--approved-by", "Jane Jones", "--approver-role", "Director of Resources"]


def decarb(capsys, *argv: str) -> tuple[int, str, str]:
    from decarb_dashboard.cli import main

    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_decarb_submit_asks_for_the_declaration_and_each_explanation(store, tmp_path, capsys):
    path = tmp_path / "r.csv"
    path.write_bytes(csv_bytes(*WARNED))
    d = ["--data-dir", str(store.root), "--user", "cardiff.officer"]
    code, out, err = decarb(capsys, "submit", str(path), *d)
    assert (code, out) == (1, "") and "Name the senior officer who approved this return" in err
    code, out, err = decarb(capsys, "submit", str(path), *d, *DECLARED, "--explain", "status_from_cell=not ours")
    assert code == 1 and "still unexplained: Text read as a status; A large change on the year before." in err
    assert "  --explain status_from_cell=...   Text read as a status: spreadsheet rows 2, 3." in err
    assert "  --explain stored:change=...   More than 50% up or down" in err
    assert decarb(capsys, "submit", str(path), *d, *DECLARED, "--explain", "no equals sign")[0] == 2
    assert len(store.submissions()) == 1  # only the one stored before
    explain = [f"--explain={key}={text}" for key, text in EXPLAINED.items()]
    code, out, err = decarb(capsys, "submit", str(path), *d, *DECLARED, *explain)
    assert code == 0 and err.strip() == "Stored as CARDIFF-2022-23-01."
    s = store.submission(out.strip())
    assert s.declaration == DECLARATION and [w["explanation"] for w in s.warnings] == list(EXPLAINED.values())
    code, again, err = decarb(capsys, "submit", str(path), *d, *DECLARED, *explain, "--lang", "cy")
    assert (code, again.strip()) == (1, s.submission_id)  # the existing receipt, for a script
    assert f"eisoes wedi'i chyflwyno ar gyfer yr un cyrff a blynyddoedd, fel CARDIFF-2022-23-01 ({s.submission_id})" \
        in err


def test_decarb_review_list_show_and_decide(store, capsys):
    s = submitted(store)
    d = ["--data-dir", str(store.root)]
    code, out, _ = decarb(capsys, "review", "list", "--json", *d)
    rows = __import__("json").loads(out)
    assert code == 0 and [(r["reference"], r["status"], r["warning_count"]) for r in rows] == [
        ("CARDIFF-2021-22-01", "submitted", 0), ("CARDIFF-2022-23-01", "submitted", 3)]
    code, out, err = decarb(capsys, "review", "decide", "cardiff-2022-23-01", "--action", "query", *d)
    assert code == 1 and "“query” needs a message" in err
    code, out, _ = decarb(capsys, "review", "decide", "CARDIFF-2022-23-01", "--action", "query", "--message",
                          "Why is waste ten times up?", "--user", "wg.reviewer", *d)
    assert (code, out.strip()) == (0, f"CARDIFF-2022-23-01 ({s.submission_id}): queried")
    code, out, _ = decarb(capsys, "review", "list", "--status", "queried", "--json", *d)
    assert [r["reference"] for r in __import__("json").loads(out)] == ["CARDIFF-2022-23-01"]
    code, out, _ = decarb(capsys, "review", "show", s.submission_id, "--json", *d)
    view = __import__("json").loads(out)
    assert code == 0 and {"submission_id", "reference", "organisation_id", "reporting_year", "status", "totals",
                          "previous_year", "changes_vs_previous_version", "quality_flags", "warnings",
                          "declaration"} <= set(view)
    assert (view["status"], view["totals"]["total_tco2e"], view["previous_year"]["total_tco2e"]) == \
        ("queried", 210.0, 110.0)
    assert view["warnings"][1]["explanation"] == EXPLAINED["stored:change"]
    code, out, _ = decarb(capsys, "review", "show", "CARDIFF-2022-23-01", "--lang", "cy", *d)
    assert code == 0 and "Cymeradwywyd gan Jane Jones, Director of Resources" in out
    assert "Ffurflen gyntaf y corff hwn ar gyfer y flwyddyn hon" in out and "  Gwastraff: 100.0 tCO2e" in out
    code, _, err = decarb(capsys, "review", "show", "NOPE-2022-23-01", *d)
    assert code == 1 and "There is no submission NOPE-2022-23-01" in err


def test_the_review_view_says_factor_warnings_in_the_reader_s_language(store):
    # 100,000 kWh of grid electricity at the 2022 factor (0.19338 kgCO2e/kWh) is 19.338 tCO2e; 25 was reported.
    lines = ["Newport,2022-23,Buildings,Electricity,2,100000,kWh,25,,,"]
    report = check(*lines)
    s = submit_return(store, engine_of(store), report, csv_bytes(*lines), submitted_by="newport.officer",
                      file_name="n.csv", explanations={g.key: "Our meter reading differs." for g in
                                                        warnings_to_explain(report, engine_of(store))},
                      declaration=DECLARATION)
    english = review.review_view(store, engine_of(store), s.submission_id)["factor_warnings"]
    welsh = review.review_view(store, engine_of(store), s.submission_id, lang="cy")["factor_warnings"]
    assert len(english) == len(welsh) == 1
    assert english[0].startswith("reported 25.0 tCO2e is +29.3% from 19.3 tCO2e")
    assert welsh[0] != english[0] and "29.3" in welsh[0]


def test_the_queue_s_changes_on_last_year_are_like_for_like_s_worked_out_in_one_pass(sample_store):
    """Every sample body-year's change on last year from the one pass equals like_for_like's own, to the last
    bit, and the queue shows it; a year with no year before it, or no category in both, has none."""
    from decarb_dashboard import measures, years

    engine = Engine.from_store(sample_store)
    cats = engine.categories
    pairs = {(str(o), str(y), years.previous(str(y))) for o, y in zip(cats["organisation_id"], cats["reporting_year"],
                                                                       strict=True)}
    pcts = measures.like_for_like_pcts(cats, pairs)
    assert pcts == {p: measures.like_for_like(cats, *p)["change_pct"] for p in pairs}
    assert pcts[("cardiff", "2019-20", "2018-19")] is None  # no return before the baseline year
    assert sum(v is not None for v in pcts.values()) > 100
    rows = [r for r in review.queue(sample_store, engine) if r["quality_flag_count"] is not None]
    assert len(rows) > 100
    for r in rows:
        own = measures.like_for_like(cats, r["organisation_id"], r["reporting_year"],
                                     years.previous(r["reporting_year"]))["change_pct"]
        assert r["change_on_last_year_pct"] == (None if own is None else round(own, 4))
    assert measures.like_for_like_pcts(cats, [("atlantis", "2022-23", "2021-22")]) == {
        ("atlantis", "2022-23", "2021-22"): None}
