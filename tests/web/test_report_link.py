"""My organisation's "Download the report" link and GET /report/<body>/<year>.pdf (web/report_route.py)."""

from __future__ import annotations


def test_the_web_link_gives_the_pdf_and_only_published_figures(site, monkeypatch):
    from decarb_dashboard.web import create_app

    app = create_app(site, seed=False)
    with app.server.app_context():
        from decarb_dashboard.web import data
        from decarb_dashboard.web.pages.organisation import view

        page = str(view(data.engine(), "cardiff", "2022-23", "total", "type", True, "cy"))
    assert "/report/cardiff/2022-23.pdf?lang=cy" in page and "Lawrlwytho'r adroddiad ar gyfer 2022-23 (PDF)" in page
    client = app.server.test_client()
    response = client.get("/report/cardiff/2022-23.pdf?lang=cy")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    assert response.headers["Content-Disposition"] == 'attachment; filename="cardiff-2022-23-report-cy.pdf"'
    missing = client.get("/report/atlantis/2022-23.pdf?lang=cy")
    assert missing.status_code == 404 and "Nid oes adroddiad" in missing.get_data(as_text=True)
    # With DECARB_PUBLISH=accepted a return not yet accepted is not public: no report of it.
    monkeypatch.setenv("DECARB_PUBLISH", "accepted")
    assert client.get("/report/cardiff/2022-23.pdf").status_code == 404


def test_a_report_is_made_once_per_store_version_and_language(site, monkeypatch):
    """Making a PDF takes seconds: a second reader of the same report gets the kept bytes, another language
    its own; a submission (a new store version) makes it again."""
    from decarb_dashboard import report_pack
    from decarb_dashboard.web import create_app

    made = []
    monkeypatch.setattr(report_pack, "report_pdf", lambda engine, body, year, lang, *rest: made.append(lang)
                        or b"%PDF-1.7 " + lang.encode())
    client = create_app(site, seed=False).server.test_client()
    for lang in ("en", "en", "cy", "en"):
        assert client.get(f"/report/cardiff/2022-23.pdf?lang={lang}").data == b"%PDF-1.7 " + lang.encode()
    assert made == ["en", "cy"]


def test_a_server_without_pango_says_so_and_serves_no_broken_file(site, monkeypatch):
    """WeasyPrint loads Pango when imported: a machine without it gets a 503 in the reader's language, and the
    dashboard itself (which never imports it) keeps working."""
    import sys
    import types

    from decarb_dashboard.web import create_app

    class NoPango(types.ModuleType):
        def __getattr__(self, name):
            raise OSError("cannot load library 'libpango-1.0-0'")

    monkeypatch.setitem(sys.modules, "weasyprint", NoPango("weasyprint"))
    client = create_app(site, seed=False).server.test_client()
    response = client.get("/report/cardiff/2022-23.pdf?lang=cy")
    assert response.status_code == 503 and response.mimetype == "text/plain"
    said = response.get_data(as_text=True)
    assert "Pango" in said and "Ni ellir gwneud yr adroddiad" in said
    assert client.get("/organisation?lang=cy").status_code == 200


def test_the_link_carries_the_peer_group_and_metric_chosen_and_an_unknown_one_is_a_400(site, monkeypatch):
    from decarb_dashboard import report_pack
    from decarb_dashboard.web import create_app

    app = create_app(site, seed=False)
    with app.server.app_context():
        from decarb_dashboard.web import data
        from decarb_dashboard.web.pages.organisation import view

        chosen = str(view(data.engine(), "cardiff", "2022-23", "per_fte", "region", True, "cy"))
        default = str(view(data.engine(), "cardiff", "2022-23", "total", "type", True, "en"))
    assert "/report/cardiff/2022-23.pdf?lang=cy&peers=region&metric=per_fte" in chosen
    assert "/report/cardiff/2022-23.pdf?lang=en'" in default  # the default stays as it was
    made = []
    monkeypatch.setattr(report_pack, "report_pdf", lambda engine, body, year, lang, status, accepted, peers, metric:
                        made.append((peers, metric)) or b"%PDF-1.7")
    client = app.server.test_client()
    assert client.get("/report/cardiff/2022-23.pdf?lang=cy&peers=region&metric=per_fte").status_code == 200
    assert client.get("/report/cardiff/2022-23.pdf").status_code == 200
    assert made == [("region", "per_fte"), ("type", "total")]
    bad = client.get("/report/cardiff/2022-23.pdf?lang=cy&metric=per_cat")
    said = bad.get_data(as_text=True)
    assert bad.status_code == 400 and bad.headers["Content-Language"] == "cy"
    assert "Nid oes adroddiad sy'n rhestru yn ôl y mesur 'per_cat'" in said and "per_fte (Allyriadau fesul" in said
    bad = client.get("/report/cardiff/2022-23.pdf?peers=%3Cscript%3E")
    assert bad.status_code == 400 and bad.mimetype == "text/plain" and "region (bodies in the same region)" in \
        bad.get_data(as_text=True)
    assert made == [("region", "per_fte"), ("type", "total")]  # nothing made for a refused address
