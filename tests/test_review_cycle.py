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
    assert decide(store, s.submission_id, "accept", actor=REVIEWER).status == "accepted"
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
    monkeypatch.setattr(review, "_announce", lambda event, s, actor, message: said.append((event, actor, message)))
    s = submitted(store)
    decide(store, s.submission_id, "query", actor=REVIEWER, message="why?")
    decide(store, s.submission_id, "reply", actor=OFFICER, message="because")
    decide(store, s.submission_id, "accept", actor=REVIEWER)
    assert said == [("submitted", "cardiff.officer", None), ("queried", "wg.reviewer", "why?"),
                    ("replied", "cardiff.officer", "because"), ("accepted", "wg.reviewer", None)]
