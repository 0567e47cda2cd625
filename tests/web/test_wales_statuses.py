"""The Wales overview says each body's real review status, and the public pages mark figures not yet accepted."""

from __future__ import annotations

from decarb_dashboard import review
from decarb_dashboard.web import data
from decarb_dashboard.web.pages import compare, organisation, wales
from tests.web.conftest import as_account


def current(org: str, year: str) -> str:
    """The id of the submission whose lines are ``org``'s current return for ``year``."""
    found = data.store().current_statuses()
    row = found[(found["organisation_id"] == org) & (found["reporting_year"] == year)].iloc[0]
    return str(row["submission_id"])


def said(year: str, lang: str = "en") -> dict[str, tuple[str, str]]:
    table = wales.submission_status(year, lang)
    return {b: (s, late) for b, s, late in zip(table.iloc[:, 0], table.iloc[:, 2], table.iloc[:, 3], strict=True)}


def test_the_wales_page_says_each_body_s_review_status_in_both_languages(app):
    with as_account(app, None):
        store = data.store()
        before = said("2022-23")
        assert len(before) == 45 and {s for s, _ in before.values()} == {"submitted, awaiting review"}
        review.decide(store, current("cardiff", "2022-23"), "accept", actor="wg.reviewer")
        review.decide(store, current("torfaen", "2022-23"), "query", actor="wg.reviewer",
                      message="Fleet diesel is 1000 times 2021-22")
        after = said("2022-23")
        assert after["Cardiff"][0] == "accepted" and after["Torfaen"][0] == "queried"
        assert after["Newport"][0] == "submitted, awaiting review"
        welsh = said("2022-23", "cy")
        assert welsh["Caerdydd"][0] == "wedi'i derbyn" and welsh["Torfaen"][0] == "wedi'i holi"
        # No body has sent a 2024-25 return: every one of the 45 is "not submitted", none is late yet or not.
        nobody = said("2024-25")
        assert len(nobody) == 45 and {s for s, _ in nobody.values()} == {"not submitted"}
        # The table lists those waiting on someone first: the queried one before the 43 awaiting review.
        order = list(wales.submission_status("2022-23", "en").iloc[:, 0])
        assert order.index("Torfaen") < order.index("Newport") < order.index("Cardiff")


def test_the_provisional_mark_goes_when_the_return_is_accepted(app):
    with as_account(app, None):
        store = data.store()
        engine = data.engine()
        shown = str(organisation.view(engine, "cardiff", "2023-24", "total", "type", True, "en"))
        assert "provisional (awaiting review)" in shown and "org-status" in shown
        welsh = str(organisation.view(engine, "cardiff", "2023-24", "total", "type", True, "cy"))
        assert "dros dro (yn aros am adolygiad)" in welsh
        review.decide(store, current("cardiff", "2023-24"), "accept", actor="wg.reviewer")
    with as_account(app, None):  # the next page: a new request reads the store's new version
        engine = data.engine()
        shown = str(organisation.view(engine, "cardiff", "2023-24", "total", "type", True, "en"))
        assert "org-status" not in shown
        # The body's history table marks each year: 2023-24 accepted, the corrected 2022-23 still provisional.
        _, history = organisation.category_history(engine, "cardiff", "en")
        by_year = dict(zip(history["Financial year"], history["Review status"], strict=False))
        assert by_year["2023-24"] == "accepted" and by_year["2022-23"] == "provisional (awaiting review)"


def test_a_queried_return_is_marked_queried_on_compare_and_wales(app):
    with as_account(app, None):
        review.decide(data.store(), current("newport", "2023-24"), "query", actor="wg.reviewer",
                      message="Waste looks low")
        engine = data.engine()
        out = compare.view(engine, ["cardiff", "newport"], "type", "total", "2023-24", "en")
        text = str(out)
        assert "cmp-unaccepted" in text and "queried" in text
        frame_text = str(wales.coverage_notice(engine, "2023-24", "en", False))
        # 45 returns for 2023-24, none accepted: 44 awaiting review and Newport's queried.
        assert "These figures include 45 returns not yet accepted: 44 provisional (awaiting review), 1 queried." \
            in frame_text


def test_publishing_accepted_returns_only_shows_nothing_unaccepted(app, monkeypatch):
    with as_account(app, None):
        review.decide(data.store(), current("cardiff", "2023-24"), "accept", actor="wg.reviewer")
        monkeypatch.setenv("DECARB_PUBLISH", "accepted")
        data._engines.clear()
        engine = data.engine()
        assert set(engine.categories["organisation_id"]) == {"cardiff"}
        shown = str(organisation.view(engine, "cardiff", "2023-24", "total", "type", True, "en"))
        assert "provisional (awaiting review)" not in shown
        assert "Only returns accepted by Welsh Government are included" in shown


def test_with_accepted_returns_only_published_the_reviewers_still_see_every_current_return(app, monkeypatch):
    with as_account(app, None):
        review.decide(data.store(), current("cardiff", "2023-24"), "accept", actor="wg.reviewer")
        monkeypatch.setenv("DECARB_PUBLISH", "accepted")
        data._engines.clear()
        # The public pages' engine has Cardiff alone; the review and upload pages' has all 45 bodies' returns.
        assert set(data.engine().categories["organisation_id"]) == {"cardiff"}
        drafts = data.engine(drafts=True)
        assert drafts.categories["organisation_id"].nunique() == 45
        newport = review.review_view(data.store(), drafts, current("newport", "2023-24"), "newport", "2023-24")
        assert newport["previous_year"] is not None and newport["previous_year"]["reporting_year"] == "2022-23"
