"""The Accounts page over HTTP: an admin adds an account who can then sign in, assigns bodies, resets a
password by a one-time link; every action is in the audit; anyone else is refused and nothing changes."""

from __future__ import annotations

import shutil
import urllib.parse

import pytest

from decarb_dashboard.accounts import AccountStore
from decarb_dashboard.web import create_app
from tests.dash_http import DashClient, fell_back, find_prop, serve, text_of

PASSWORD = "a long enough passphrase"
NEW_PASSWORD = "rain on the slate roofs"
BUTTONS = ("ac-add", "ac-edit", "ac-assign", "ac-reset", "ac-disable", "ac-enable")


@pytest.fixture(scope="module")
def site(sample_store, tmp_path_factory):
    root = tmp_path_factory.mktemp("accounts-page") / "data"
    shutil.copytree(sample_store.root, root)
    accounts = AccountStore(root)
    accounts.add("admin", PASSWORD, "admin", display_name="The Admin")
    accounts.add("reviewer", PASSWORD, "reviewer")
    app = create_app(root, seed=False)
    with serve(app.server) as url:
        admin, reviewer = DashClient(url), DashClient(url)
        assert admin.sign_in("admin", PASSWORD).status_code == 303
        assert reviewer.sign_in("reviewer", PASSWORD).status_code == 303
        yield url, admin, reviewer, accounts


def add_values(username: str, password: str = PASSWORD, again: str | None = None, **more: object) -> dict:
    return {"ac-new-username.value": username, "ac-new-name.value": "New Officer", "ac-new-email.value": "",
            "ac-new-language.value": "", "ac-new-role.value": "submitter", "ac-new-bodies.value": ["cardiff"],
            "ac-new-password.value": password, "ac-new-password2.value": password if again is None else again,
            **more}


def post_button(client: DashClient, button: str, values: dict, lang: str = "en"):
    r = client.callback("..ac-outcome.children", {f"{button}.n_clicks": 1, "ac-lang.data": lang, **values},
                        changed=f"{button}.n_clicks")
    assert r.status_code == 200 and "Traceback" not in r.text and not fell_back(r), r.text[:300]
    return r


def signs_in(url: str, username: str, password: str) -> bool:
    return DashClient(url).sign_in(username, password).headers["Location"] == "/"


def test_an_admin_adds_an_account_who_can_then_sign_in(site):
    url, admin, _, accounts = site
    r = post_button(admin, "ac-add", add_values("new.officer"))
    assert "Added new.officer (submitter). They can sign in now." in text_of(r)
    assert "new.officer" in text_of(r) and "Cardiff" in text_of(r)  # the accounts table and the audit
    assert accounts.get("new.officer").bodies == ("cardiff",)
    assert signs_in(url, "new.officer", PASSWORD)
    entry = accounts.audit("new.officer")[0]
    assert (entry["actor"], entry["action"], entry["detail"]["bodies"]) == ("admin", "add", ["cardiff"])


@pytest.mark.parametrize(("values", "words"), [
    (add_values("weak.one", "password1234"), "one of the commonest passwords"),
    (add_values("typo.one", again="a long enough passphrasf"), "the two passwords are not the same"),
    (add_values("no.body", **{"ac-new-bodies.value": []}), "needs the body or bodies"),
    (add_values("atlantis", **{"ac-new-bodies.value": ["atlantis"]}), "'atlantis' is not a body in the register"),
])
def test_a_refused_account_says_why_and_stores_nothing(site, values, words):
    _, admin, _, accounts = site
    before = (accounts.list(), len(accounts.audit()))
    r = post_button(admin, "ac-add", values)
    assert "There is a problem" in text_of(r) and words in text_of(r)
    assert (accounts.list(), len(accounts.audit())) == before


def test_a_refusal_is_said_in_welsh(site):
    _, admin, _, accounts = site
    r = post_button(admin, "ac-add", add_values("welsh.one", "short"), lang="cy")
    assert "Mae problem" in text_of(r) and "mae angen o leiaf 12 nod mewn cyfrinair" in text_of(r)
    assert accounts.get("welsh.one") is None


def test_an_admin_assigns_a_body_and_the_audit_shows_before_and_after(site):
    _, admin, _, accounts = site
    accounts.add("two.bodies", PASSWORD, "submitter", ["cardiff"], actor="cli:root")
    r = post_button(admin, "ac-assign", {"ac-user.value": "two.bodies", "ac-role.value": "submitter",
                                          "ac-bodies.value": ["cardiff", "newport"]})
    assert "two.bodies is now submitter, submitting for: Cardiff, Newport." in text_of(r)
    assert accounts.get("two.bodies").bodies == ("cardiff", "newport")
    assert "submitter (Cardiff) → submitter (Cardiff, Newport)" in text_of(r)  # the audit table
    r = post_button(admin, "ac-assign", {"ac-user.value": "admin", "ac-role.value": "reviewer",
                                          "ac-bodies.value": []})
    assert "you cannot disable your own account or change your own role" in text_of(r)
    assert accounts.get("admin").role == "admin"


def edit_values(username: str, name: str = "", email: str = "", language: str = "") -> dict:
    return {"ac-user.value": username, "ac-name.value": name, "ac-email.value": email, "ac-language.value": language}


def test_an_admin_edits_the_name_address_and_language_and_the_audit_says_what_changed(site):
    _, admin, _, accounts = site
    accounts.add("renamed", PASSWORD, "reviewer", display_name="Old Name", email="old@gov.wales", actor="cli:root")
    r = post_button(admin, "ac-edit", edit_values("renamed", "Gwen Pritchard", "Gwen.P@GOV.WALES", "cy"))
    assert "Saved renamed: name Gwen Pritchard; e-mail Gwen.P@gov.wales; notifications in: Cymraeg." in text_of(r)
    account = accounts.get("renamed")
    assert (account.display_name, account.email, account.language) == ("Gwen Pritchard", "Gwen.P@gov.wales", "cy")
    entry = accounts.audit("renamed")[0]
    assert (entry["actor"], entry["action"]) == ("admin", "edit")
    assert entry["detail"] == {"display_name": ["Old Name", "Gwen Pritchard"],
                               "email": ["old@gov.wales", "Gwen.P@gov.wales"], "language": ["", "cy"]}
    audit = text_of(r)  # the audit table names each field by its label, the language by its name
    assert "Name: Old Name → Gwen Pritchard" in audit and "old@gov.wales → Gwen.P@gov.wales" in audit
    assert "– → Cymraeg" in audit and "display_name" not in audit
    welsh = text_of(post_button(admin, "ac-edit", edit_values("renamed", "Gwen Pritchard", "", "cy"), lang="cy"))
    assert "e-bost dim (dim e-byst)" in welsh and accounts.get("renamed").email is None  # no address: no mail


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_a_malformed_address_is_refused_in_the_readers_language_and_nothing_changes(site, lang):
    _, admin, _, accounts = site
    if accounts.get("kept") is None:
        accounts.add("kept", PASSWORD, "reviewer", display_name="Kept Name", email="kept@gov.wales")
    before = (accounts.get("kept"), len(accounts.audit()))
    r = post_button(admin, "ac-edit", edit_values("kept", "A New Name", "kept@", "cy"), lang=lang)
    said = {"en": ("There is a problem", "is not an e-mail address"), "cy": ("Mae problem", "nid yw")}[lang]
    assert said[0] in text_of(r) and said[1] in text_of(r) and "'kept@'" in text_of(r)
    assert (accounts.get("kept"), len(accounts.audit())) == before


def test_an_admin_cannot_disable_their_own_account_but_another_admin_can(site):
    _, admin, _, accounts = site
    before = len(accounts.audit())
    r = post_button(admin, "ac-disable", {"ac-user.value": "admin"})
    assert "you cannot disable your own account or change your own role; ask another admin" in text_of(r)
    assert not accounts.get("admin").disabled and len(accounts.audit()) == before
    welsh = text_of(post_button(admin, "ac-disable", {"ac-user.value": "admin"}, lang="cy"))
    assert "Mae problem" in welsh and "ni allwch analluogi eich cyfrif eich hun" in welsh
    r = post_button(admin, "ac-edit", edit_values("nobody.here", "X"))
    assert "there is no account called 'nobody.here'" in text_of(r)


def test_a_password_reset_link_works_once_and_ends_the_old_password(site, monkeypatch):
    url, admin, _, accounts = site
    monkeypatch.delenv("DECARB_PUBLIC_URL", raising=False)
    accounts.add("forgetful", PASSWORD, "reviewer", actor="cli:root")
    user = DashClient(url)
    assert user.sign_in("forgetful", PASSWORD).headers["Location"] == "/"
    r = post_button(admin, "ac-reset", {"ac-user.value": "forgetful"})
    assert "forgetful has no e-mail address" in text_of(r)
    link = find_prop(r.json(), "id", "ac-reset-link")["children"]
    assert link.startswith(url + "/reset-password?token=")
    search = "?" + urllib.parse.urlsplit(link).query
    form = DashClient(url)
    page = form.page("/reset-password", search)
    assert "Choose a new password for forgetful" in text_of(page)
    token = urllib.parse.parse_qs(search[1:])["token"][0]
    fields = {"csrf_token": find_prop(page.json(), "name", "csrf_token")["value"], "token": token, "lang": "en",
              "password": NEW_PASSWORD, "password2": NEW_PASSWORD}
    posted = form.http.post(url + "/auth/reset-password", data=fields, allow_redirects=False)
    assert posted.status_code == 303 and posted.headers["Location"] == "/reset-password?lang=en&done=1"
    assert not signs_in(url, "forgetful", PASSWORD)
    assert signs_in(url, "forgetful", NEW_PASSWORD)
    assert "Sign in" in text_of(user.page("/sign-in"))  # the session from before the reset has ended
    fresh = find_prop(form.page("/sign-in").json(), "name", "csrf_token")["value"]  # the reset cleared the session
    again = form.http.post(url + "/auth/reset-password", data={**fields, "csrf_token": fresh,
                                                               "password": "yet another passphrase",
                                                               "password2": "yet another passphrase"},
                           allow_redirects=False)
    assert "error=account_reset_link_invalid" in again.headers["Location"]
    assert "has been used, has expired" in text_of(form.page("/reset-password", search))
    assert signs_in(url, "forgetful", NEW_PASSWORD)
    assert [e["action"] for e in accounts.audit("forgetful")][:2] == ["reset_used", "reset_link"]
    audit = text_of(post_button(admin, "ac-enable", {"ac-user.value": "forgetful"}))
    assert "new password set with the link" in audit and "shown to the administrator" in audit


def test_a_reset_link_goes_by_e_mail_to_an_account_with_an_address(site, monkeypatch):
    _, admin, _, accounts = site
    monkeypatch.setenv("DECARB_PUBLIC_URL", "https://decarb.example")
    accounts.add("mailed", PASSWORD, "reviewer", email="mailed@gov.wales", actor="cli:root")
    r = post_button(admin, "ac-reset", {"ac-user.value": "mailed"})
    assert "e-mailed to mailed@gov.wales for mailed" in text_of(r)
    assert "reset-password?token=" not in r.text  # the admin never sees a mailed link
    assert accounts.audit("mailed")[0]["detail"]["delivery"] == "email"


@pytest.mark.parametrize("button", BUTTONS)
def test_a_reviewer_is_refused_every_action_and_nothing_changes(site, button):
    _, _, reviewer, accounts = site
    before = (accounts.list(), len(accounts.audit()))
    r = post_button(reviewer, button, {**add_values("sneaky"), "ac-user.value": "admin",
                                       "ac-role.value": "reviewer", "ac-bodies.value": []})
    assert "You cannot do this with your account" in text_of(r)
    assert (accounts.list(), len(accounts.audit())) == before
