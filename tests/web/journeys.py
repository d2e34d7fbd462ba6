#!/usr/bin/env python3
"""The applicant's journeys through the web front, in a real Chromium, as people make them.

    python3 tests/web/journeys.py <base url> <mail dir> <screenshot dir> <axe.min.js>

Run by `tests/web.rs` (part of `cargo test`) against `planloket demo` started on a database of
its own; the mail dir is where that server writes its mail as .eml files. Every page is
checked with axe-core (WCAG 2.1 A and AA, and best practice): a single violation fails the run.
Screenshots of the main pages are kept. Only loopback addresses are used.
"""
import base64
import datetime
import email
import email.policy
import glob
import hashlib
import hmac
import json
import os
import re
import struct
import sys
import time
import urllib.error
import urllib.request

from playwright.sync_api import sync_playwright

BASE, MAIL_DIR, SCREENS, AXE = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3], sys.argv[4]
assert BASE.startswith("http://127.0.0.1"), "loopback only"
CHROMIUM = os.environ.get("PLANLOKET_CHROMIUM", "/usr/bin/chromium")
AXE_SOURCE = open(AXE).read()
os.makedirs(SCREENS, exist_ok=True)
PASSWORD = "demo-wachtwoord"
checked = []


def axe(page, name):
    """Zero axe-core violations on the page as it is now, and a screenshot of it."""
    page.evaluate(AXE_SOURCE)
    result = page.evaluate(
        """async () => await axe.run(document, {runOnly: {type: 'tag',
           values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"""
    )
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]
    assert not problems, f"axe on {name} ({page.url}):\n  " + "\n  ".join(problems)
    page.screenshot(path=os.path.join(SCREENS, f"{name}.png"), full_page=True)
    checked.append(name)


def narrow(browser, url, name):
    """At 320 CSS px wide, the page needs no horizontal scrolling."""
    ctx = browser.new_context(viewport={"width": 320, "height": 720}, bypass_csp=True)
    page = ctx.new_page()
    page.goto(url)
    width = page.evaluate("document.documentElement.scrollWidth")
    page.screenshot(path=os.path.join(SCREENS, f"{name}-320px.png"), full_page=True)
    ctx.close()
    assert width <= 321, f"{url} is {width}px wide at 320px"


def api(method, path, token=None, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(BASE + "/api/v1" + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req) as r:
        raw = r.read()
        return json.loads(raw) if raw else None


def close_call(round_id, team):
    """Closes a round's call for plans now, as the team does before the first adoption."""
    closes = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=1)
    api("PATCH", f"/rounds/{round_id}", team, {"closes_at": closes.isoformat()})


# The second factor of each staff account once enrolled: its secret, the last step a code was
# used for (each code works once), and its unused recovery codes.
FACTORS = {}
TOKENS = {}


def totp(secret, step):
    """RFC 6238's code of `step` (HMAC-SHA-1, 6 digits), computed here from the secret."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF) % 1000000)


def code_for(address):
    """A code the service accepts now and has not seen: one step either side of now is taken
    (the previous one only while it has more than 5 seconds left); when the app's codes of the
    window are used, a recovery code, as a person whose phone is slow would; else wait."""
    f = FACTORS[address]
    while True:
        now = time.time()
        step = int(now // 30)
        earliest = step - 1 if now % 30 < 25 else step
        use = max(f["last"] + 1, earliest)
        if use <= step + 1:
            f["last"] = use
            return totp(f["secret"], use)
        if f["recovery"]:
            return f["recovery"].pop()
        time.sleep(1)


def token(address, password=PASSWORD):
    """An API token for `address`; a staff account enrols an authenticator app through the API
    at its first sign-in, and signs in with its code. Kept while it works."""
    kept = TOKENS.get(address)
    if kept:
        try:
            api("GET", "/me/totp", kept)
            return kept
        except urllib.error.HTTPError:
            TOKENS.pop(address)
    body = {"email": address, "password": password}
    if address in FACTORS:
        body["otp"] = code_for(address)
    signed = api("POST", "/auth/login", body=body)
    staff = any(r != "applicant" for r in signed["user"]["roles"])
    if staff and address not in FACTORS:
        first = signed["access_token"]
        secret = api("POST", "/me/totp", first, {})["secret"]
        FACTORS[address] = {"secret": secret, "last": 0, "recovery": []}
        codes = api("POST", "/me/totp/confirm", first, {"otp": code_for(address)})["recovery_codes"]
        FACTORS[address]["recovery"] = codes
        signed = api("POST", "/auth/login", body={**body, "otp": code_for(address)})
    TOKENS[address] = signed["access_token"]
    return TOKENS[address]


def second_step(page, address):
    """After the password: a staff account's first sign-in enrols an authenticator app on
    `/account/tweestap` (the secret read from the page, as a person types it into the app),
    then goes on to its work; a later one gives the code on `/inloggen/code`."""
    if "/account/tweestap" in page.url:
        secret = page.inner_text(".pl-secret").replace(" ", "")
        FACTORS[address] = {"secret": secret, "last": 0, "recovery": []}
        if "tweestap-instellen" not in checked:
            axe(page, "tweestap-instellen")
        page.fill("#code", "12")
        page.click("button:has-text('Tweestapsverificatie aanzetten')")
        assert "Code uit de app" in " ".join(error_summary(page)), page.url
        page.fill("#code", code_for(address))
        page.click("button:has-text('Tweestapsverificatie aanzetten')")
        expect_text(page, "Tweestapsverificatie staat aan")
        FACTORS[address]["recovery"] = page.locator(".pl-codes code").all_inner_texts()
        assert len(FACTORS[address]["recovery"]) == 10, FACTORS[address]
        if "tweestap-herstelcodes" not in checked:
            axe(page, "tweestap-herstelcodes")
        page.click("main a:has-text('Verder naar uw werk')")
    elif "/inloggen/code" in page.url:
        if "inloggen-code" not in checked:
            axe(page, "inloggen-code")
        page.fill("#code", code_for(address))
        page.click("form[action='/inloggen/code'] button")


def mail_link(address, after, path="/aanmelden"):
    """The link to `path` (a sign-in link unless said) of the newest mail to `address` written
    after `after`."""
    for _ in range(100):
        for eml in sorted(glob.glob(os.path.join(MAIL_DIR, "*.eml")), key=os.path.getmtime, reverse=True):
            if os.path.getmtime(eml) < after:
                continue
            msg = email.message_from_binary_file(open(eml, "rb"), policy=email.policy.default)
            if address not in msg["To"]:
                continue
            text = msg.get_body(preferencelist=("plain",)).get_content()
            found = re.search(r"(http://\S+" + re.escape(path) + r"\?token=[0-9a-f]{64})", text)
            if found:
                return found.group(1)
        time.sleep(0.1)
    raise AssertionError(f"no link to {path} mailed to {address}")


def mails_to(address, subject_start):
    found = []
    for path in glob.glob(os.path.join(MAIL_DIR, "*.eml")):
        msg = email.message_from_binary_file(open(path, "rb"), policy=email.policy.default)
        if address in msg["To"] and str(msg["Subject"]).startswith(subject_start):
            found.append(msg)
    return found


def expect_text(page, text):
    body = page.inner_text("body")
    assert text in body, f"'{text}' not on {page.url}:\n{body[:2000]}"


def error_summary(page):
    """The error summary's items, as read."""
    assert page.locator(".pl-error-summary").count() == 1, f"no error summary on {page.url}"
    expect_text(page, "Er is iets niet goed ingevuld")
    return page.locator(".pl-error-summary li").all_inner_texts()


def resident_journey(browser):
    ctx = browser.new_context(bypass_csp=True)
    page = ctx.new_page()
    page.goto(BASE + "/")
    axe(page, "start")
    round_link = page.locator("main a[href^='/rondes/']").first
    round_href = round_link.get_attribute("href")
    round_link.click()
    axe(page, "ronde")
    # The open round's conditions speak of now, not of the call before it.
    expect_text(page, "Een plan draagt bij aan de doelen van het programma")
    assert "moesten bijdragen" not in page.inner_text("main")
    narrow(browser, page.url, "ronde")

    # On the way to the plan form: sign in, or make an account on the way; registering keeps
    # the way and signs the new account in. A mistake first: nothing typed is lost but the
    # password.
    page.click("main a:has-text('Plan indienen')")
    assert "/inloggen?volgende=" in page.url, page.url
    page.click("main a:has-text('Maak een account')")
    assert "/registreren?volgende=" in page.url, page.url
    axe(page, "registreren")
    page.fill("#name", "Fatima Bakkali")
    page.fill("#email", "fatima@example.nl")
    page.fill("#password", "kort")
    page.check("#kind-resident")
    page.click("button:has-text('Account aanmaken')")
    items = error_summary(page)
    assert any(i.startswith("Wachtwoord") for i in items), items
    assert page.input_value("#name") == "Fatima Bakkali" and page.input_value("#email") == "fatima@example.nl"
    assert page.get_attribute("#password", "aria-invalid") == "true"
    axe(page, "registreren-fout")
    page.fill("#password", "een-lang-wachtwoord-7")
    page.click("button:has-text('Account aanmaken')")
    assert page.url.endswith(round_href + "/plannen/nieuw"), page.url
    expect_text(page, "Nieuw projectplan")
    axe(page, "registreren-klaar")
    page.click("button:has-text('Uitloggen')")

    # Sign in by a mailed link: opening it signs nobody in; the button does.
    page.goto(BASE + "/inloggen")
    axe(page, "inloggen")
    before = time.time() - 1
    page.fill("#link-email", "fatima@example.nl")
    page.click("button:has-text('Stuur mij een inloglink')")
    expect_text(page, "Inloglink verstuurd")
    link = mail_link("fatima@example.nl", before)
    page.goto(link)
    expect_text(page, "Inloggen met uw link")
    axe(page, "aanmelden")
    page.click("button:has-text('Inloggen')")
    assert page.url.startswith(BASE + "/mijn-plannen"), page.url
    expect_text(page, "U bent ingelogd")
    axe(page, "mijn-plannen-leeg")

    # File a plan with a mistake, correct it, save it.
    page.click("a:has-text('Nieuw plan in')")
    axe(page, "plan-nieuw")
    narrow_url = page.url
    # Every mistake at once: a title too long, an amount in words and no goals, with "Plan
    # indienen", are named together, from top to bottom.
    page.fill("#title", "Huiswerkklas " * 20)
    page.fill("#requested_eur", "ongeveer 40")
    page.click("button:has-text('Plan indienen')")
    items = error_summary(page)
    for label in ["Titel", "Doelen", "Gevraagde bijdrage"]:
        assert any(i.startswith(label) for i in items), (label, items)
    assert [i.split(":")[0] for i in items].index("Titel") < [i.split(":")[0] for i in items].index("Doelen"), items
    assert any("Vul een bedrag in cijfers in" in i for i in items), items
    page.fill("#title", "Huiswerkklas De Heuvel")
    page.fill("#requested_eur", "veel")
    page.click("button:has-text('Concept opslaan')")
    items = error_summary(page)
    assert any("Gevraagde bijdrage" in i for i in items), items
    assert page.input_value("#title") == "Huiswerkklas De Heuvel", "the title typed is kept"
    assert page.input_value("#requested_eur") == "veel", "what was typed is kept"
    axe(page, "plan-nieuw-fout")
    # The summary's link leads to the field.
    page.click(".pl-error-summary a:has-text('Gevraagde bijdrage')")
    assert page.evaluate("location.hash") == "#requested_eur"
    page.fill("#requested_eur", "12500")
    page.click("button:has-text('Concept opslaan')")
    expect_text(page, "Uw concept is opgeslagen")
    axe(page, "plan-concept")
    plan_url = page.url.split("?")[0]

    # The check before submitting lists what is missing, each linking to its field.
    page.click("main a:has-text('Plan indienen')")
    expect_text(page, "Dit ontbreekt nog")
    missing = page.locator(".pl-error-summary li").all_inner_texts()
    for label in ["Omschrijving", "Doelen", "Ontvanger van de bijdrage", "Startjaar"]:
        assert any(m.startswith(label) for m in missing), (label, missing)
    axe(page, "indienen-ontbreekt")
    page.click(".pl-error-summary a:has-text('Omschrijving')")
    assert page.url.endswith("/bewerken#description"), page.url
    page.fill("#description", "Twee middagen per week huiswerkbegeleiding voor kinderen uit groep 6 tot 8.")
    page.check("#goal-B")
    page.check("#goal-J")
    # B and J belong to two themes: she says which pays.
    page.select_option("#budget_line", "JJO")
    page.select_option("#payee_id", index=1)
    page.fill("#start_year", "2027")
    page.fill("#end_year", "2028")
    page.fill("#funding_source_0", "Fonds 1818")
    page.fill("#funding_amount_0", "2500")
    page.fill("#expected_reach", "40")
    page.fill("#resident_involvement", "Ouders helpen mee als vrijwilliger.")
    page.fill("#gap_in_offer", "Er is geen huiswerkbegeleiding in de wijk.")
    axe(page, "plan-bewerken")
    # The session ends while she types (8 hours idle, or signed out in another tab): what she
    # typed travels through the sign-in page and is saved once she is back.
    ctx.clear_cookies(name="planloket_sessie")
    page.click("button:has-text('Plan indienen')")
    expect_text(page, "Opnieuw inloggen")
    expect_text(page, "Wat u heeft ingevuld is niet verloren")
    axe(page, "opnieuw-inloggen")
    page.fill("#email", "fatima@example.nl")
    page.fill("#password", "een-lang-wachtwoord-7")
    page.click("form[action='/inloggen'] button:has-text('Inloggen')")
    expect_text(page, "Alles is ingevuld")
    axe(page, "indienen")
    page.click("main button:has-text('Plan indienen')")
    expect_text(page, "Uw plan is ingediend")
    assert mails_to("fatima@example.nl", "Ontvangstbevestiging"), "a receipt is mailed"
    axe(page, "mijn-plannen")
    narrow(browser, narrow_url, "plan-nieuw")

    # Withdraw it, with a reason (and first without one).
    page.goto(plan_url)
    expect_text(page, "ingediend")
    axe(page, "plan-ingediend")
    page.click("a:has-text('Intrekken')")
    axe(page, "intrekken")
    page.click("main button:has-text('Intrekken')")
    items = error_summary(page)
    assert any(i.startswith("Reden") for i in items), items
    page.fill("#reason", "We hebben geen vrijwilligers gevonden.")
    page.click("main button:has-text('Intrekken')")
    expect_text(page, "Uw plan is ingetrokken")
    expect_text(page, "ingetrokken")

    # A draft started and thought better of: deleted, after a question.
    page.goto(BASE + "/mijn-plannen")
    page.click("a:has-text('Nieuw plan in')")
    page.fill("#title", "Idee voor later")
    page.click("button:has-text('Concept opslaan')")
    expect_text(page, "Uw concept is opgeslagen")
    page.click("main a:has-text('Concept verwijderen')")
    expect_text(page, "U kunt dit niet ongedaan maken")
    axe(page, "concept-verwijderen")
    page.click("button:has-text('Ja, concept verwijderen')")
    expect_text(page, "Het concept is verwijderd")
    assert "Idee voor later" not in page.inner_text("main")

    # The account page lists where one is signed in; the name is changed there, then the
    # address, confirmed by the link mailed to the new address.
    page.click("a:has-text('Mijn account')")
    expect_text(page, "Waar u bent ingelogd")
    axe(page, "account")
    page.fill("#name", "Fatima Bakkali-de Wit")
    page.click("button:has-text('Naam opslaan')")
    expect_text(page, "Uw naam is gewijzigd")
    before = time.time() - 1
    page.fill("#new_email", "fatima.nieuw@example.nl")
    page.fill("#email_password", "een-lang-wachtwoord-7")
    page.click("button:has-text('Link sturen naar het nieuwe adres')")
    expect_text(page, "We hebben een e-mail gestuurd naar fatima.nieuw@example.nl")
    axe(page, "account-adres-gevraagd")
    page.goto(mail_link("fatima.nieuw@example.nl", before, "/account/e-mailadres/bevestigen"))
    axe(page, "account-adres-bevestigen")
    page.click("button:has-text('E-mailadres bevestigen')")
    expect_text(page, "Uw e-mailadres is gewijzigd")
    expect_text(page, "fatima.nieuw@example.nl")

    # Sign out: the session ends here and in the database.
    page.click("header button:has-text('Uitloggen')")
    expect_text(page, "U bent uitgelogd")
    page.goto(BASE + "/mijn-plannen")
    assert "/inloggen" in page.url, page.url
    ctx.close()
    return round_href


def partner_journey(browser, round_href):
    """A partner registers with their organisation, signs in with a password, files a plan led
    by an organisation that is not registered yet, answers the team's question, and reads the
    outcome once the college adopted it."""
    ctx = browser.new_context(bypass_csp=True)
    page = ctx.new_page()
    page.goto(BASE + "/registreren")
    page.fill("#name", "Joost van Dam")
    page.fill("#email", "joost@example.nl")
    page.fill("#password", "een-lang-wachtwoord-8")
    page.check("#kind-partner")
    page.select_option("#organisation_id", index=1)
    page.click("button:has-text('Account aanmaken')")
    expect_text(page, "Uw account is aangemaakt en u bent ingelogd")
    page.click("button:has-text('Uitloggen')")
    page.goto(BASE + "/inloggen?volgende=" + round_href)
    page.fill("#email", "joost@example.nl")
    page.fill("#password", "een-lang-wachtwoord-8")
    page.click("form[action='/inloggen'] button")
    assert page.url.endswith(round_href), page.url
    page.click("main a:has-text('Plan indienen')")
    page.fill("#title", "Taalcafé voor ouders")
    page.fill("#description", "Wekelijks taalcafé in het buurthuis, met kinderopvang.")
    page.check("#goal-J")
    page.select_option("#lead_partner_id", "anders")
    page.fill("#lead_partner_name", "Stichting Taalmaatjes")
    page.fill("#partner_names", "Bibliotheek Noord")
    page.select_option("#payee_id", index=1)
    page.fill("#requested_eur", "8000")
    page.fill("#start_year", "2027")
    page.fill("#end_year", "2027")
    page.click("button:has-text('Plan indienen')")
    expect_text(page, "Alles is ingevuld")
    page.click("main button:has-text('Plan indienen')")
    expect_text(page, "Uw plan is ingediend")
    plan_id = page.locator("main table a[href^='/plannen/']").first.get_attribute("href").split("/")[-1]

    # The programme team asks a question (through the API); the partner answers in the browser.
    team = token("team@demo.planloket.nl")
    api("POST", f"/plans/{plan_id}/start-review", team)
    api("POST", f"/plans/{plan_id}/request-info", team, {"message": "Wie vangt de kinderen op?"})
    page.goto(BASE + f"/plannen/{plan_id}")
    expect_text(page, "Vraag van het programmateam")
    expect_text(page, "Wie vangt de kinderen op?")
    axe(page, "plan-vraag")
    page.fill("#answer", "Twee vrijwilligers van de bibliotheek.")
    page.click("button:has-text('Opnieuw indienen')")
    expect_text(page, "Uw plan is opnieuw ingediend")
    assert api("GET", f"/plans/{plan_id}", team)["info_request"]["answer"] == "Twee vrijwilligers van de bibliotheek."

    # Assessed, voted and adopted (through the API): the partner reads the outcome.
    api("POST", f"/plans/{plan_id}/start-review", team)
    scores = [{"criterion": c, "score": 2} for c in ["IMPACT", "GEEN_BESTAAND_AANBOD", "MEERDERE_DOELEN", "SAMENWERKING"]]
    api("POST", f"/plans/{plan_id}/pre-advice", team, {"recommendation": "positive", "proposed_eur": 7500, "motivation": "Sluit goed aan bij doel J.", "scores": scores})
    api("POST", f"/plans/{plan_id}/open-vote", team)
    page.goto(BASE + f"/plannen/{plan_id}")
    expect_text(page, "in beoordeling")
    for member in ["bestuur@demo.planloket.nl", "voorzitter@demo.planloket.nl"]:
        api("POST", f"/plans/{plan_id}/votes", token(member), {"vote": "for"})
    api("POST", f"/plans/{plan_id}/close-vote", token("voorzitter@demo.planloket.nl"))
    page.reload()
    expect_text(page, "in beoordeling")
    assert "7.500" not in page.inner_text("main"), "nothing of the decision before the adoption"
    round_id = round_href.split("/")[-1]
    open_plans = api("GET", f"/plans?round={round_id}&status=submitted", team)["items"]
    deferred = [p["id"] for p in open_plans]
    today = time.strftime("%Y-%m-%d", time.localtime())
    close_call(round_id, team)
    api("POST", f"/rounds/{round_id}/adoption", team, {"adopted_on": today, "reference": "B&W 2025/114", "deferred": deferred})
    page.reload()
    expect_text(page, "toegekend: € 7.500")
    expect_text(page, "Toegekend")
    page.goto(BASE + "/mijn-plannen")
    expect_text(page, "toegekend: € 7.500")
    page.go_back()
    axe(page, "plan-besluit")
    page.goto(BASE + f"/rondes/{round_id}/overzicht")
    expect_text(page, "Taalcafé voor ouders")
    axe(page, "overzicht")

    # The admin gives the partner a new password: the browser's session ends at once.
    admin = token("admin@demo.planloket.nl")
    me = api("POST", "/auth/login", body={"email": "joost@example.nl", "password": "een-lang-wachtwoord-8"})
    joost = api("GET", "/me", me["access_token"])["id"]
    page.goto(BASE + "/mijn-plannen")
    expect_text(page, "Taalcafé voor ouders")
    api("PATCH", f"/users/{joost}", admin, {"password": "een-nieuw-wachtwoord-9"})
    page.goto(BASE + "/mijn-plannen")
    assert "/inloggen" in page.url, f"the session outlived a password change: {page.url}"
    ctx.close()


def sign_in(browser, address, password=PASSWORD):
    """A browser of its own for one person, signed in with their password."""
    ctx = browser.new_context(bypass_csp=True)
    page = ctx.new_page()
    page.goto(BASE + "/inloggen")
    page.fill("#email", address)
    page.fill("#password", password)
    page.click("form[action='/inloggen'] button")
    second_step(page, address)
    assert "/inloggen" not in page.url, f"{address} could not sign in: {page.url}"
    assert "/account/tweestap" not in page.url, f"{address} could not enrol: {page.url}"
    return ctx, page


def small_screens(browser, plan_id, round_href):
    """At 320 CSS px wide no page scrolls sideways as a whole (wide tables scroll inside their
    own region), for each person on the pages they use; every page too wide is named."""
    pages = {
        "bewoner@demo.planloket.nl": ["/mijn-plannen", "/subsidies", "/account"],
        "team@demo.planloket.nl": [
            "/beoordelen", "/account", "/account/tweestap", "/betalingen", "/subsidies", f"/plannen/{plan_id}",
            round_href + "/budget", round_href + "/rangorde", round_href + "/overzicht",
            "/beheer/organisaties",
        ],
        "financien@demo.planloket.nl": ["/betalingen"],
        "voorzitter@demo.planloket.nl": ["/bestuur"],
        "admin@demo.planloket.nl": ["/beheer/gebruikers", "/beheer/post"],
    }
    too_wide = []
    for address, paths in pages.items():
        ctx = browser.new_context(viewport={"width": 320, "height": 720}, bypass_csp=True)
        page = ctx.new_page()
        page.goto(BASE + "/inloggen")
        page.fill("#email", address)
        page.fill("#password", PASSWORD)
        page.click("form[action='/inloggen'] button")
        second_step(page, address)
        for path in paths:
            page.goto(BASE + path)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 321:
                name = path.strip("/").replace("/", "-") or "start"
                page.screenshot(path=os.path.join(SCREENS, f"{name}-320px.png"), full_page=True)
                too_wide.append(f"{path} ({address}): {width}px")
        ctx.close()
    assert not too_wide, "wider than 320px: " + "; ".join(too_wide)


def csrf_of(page):
    return page.input_value("form[action='/uitloggen'] input[name=csrf]")


def round_filing(browser, round_href):
    """A resident files a plan in the browser; the others may not touch the team's pages."""
    ctx, page = sign_in(browser, "bewoner@demo.planloket.nl")
    page.goto(BASE + round_href + "/plannen/nieuw")
    page.fill("#title", "Buurtmoestuin Noord")
    page.fill("#description", "Een moestuin achter het buurthuis, samen met de school.")
    page.check("#goal-B")
    page.select_option("#payee_id", index=1)
    page.fill("#requested_eur", "6000")
    page.fill("#start_year", "2027")
    page.fill("#end_year", "2028")
    page.fill("#resident_involvement", "Bewoners onderhouden de tuin.")
    page.click("button:has-text('Plan indienen')")
    expect_text(page, "Alles is ingevuld")
    page.click("main button:has-text('Plan indienen')")
    expect_text(page, "Uw plan is ingediend")
    plan_id = page.locator("main table a:has-text('Buurtmoestuin Noord')").first.get_attribute("href").split("/")[-1]
    # The team's and the board's pages answer an applicant with a 403 page.
    for path in ["/beoordelen", "/bestuur", round_href + "/vaststelling", round_href + "/budget",
                 f"/plannen/{plan_id}/beoordeling", f"/plannen/{plan_id}/pre-advies", "/betalingen"]:
        status = page.goto(BASE + path).status
        assert status == 403, f"{path} answered an applicant with {status}"
    expect_text(page, "Geen toegang")
    axe(page, "geen-toegang")
    # A post made by hand, with a valid form token, changes nothing either.
    page.goto(BASE + "/mijn-plannen")
    r = page.request.post(BASE + f"/plannen/{plan_id}/actie", form={"csrf": csrf_of(page), "actie": "start_review", "versie": "1"})
    assert r.status == 403, r.status
    team = token("team@demo.planloket.nl")
    assert api("GET", f"/plans/{plan_id}", team)["status"] == "submitted"
    ctx.close()
    # The team takes it in review and asks a question; a question with nothing in it is
    # refused and names the field.
    tctx, team = sign_in(browser, "team@demo.planloket.nl")
    team.goto(BASE + f"/plannen/{plan_id}")
    team.click("button:has-text('In behandeling nemen')")
    expect_text(team, "Het plan is in behandeling genomen")
    team.click("a:has-text('Vraag stellen aan de indiener')")
    team.click("button:has-text('Vraag stellen')")
    assert any(i.startswith("Vraag") for i in error_summary(team))
    axe(team, "vraag-fout")
    team.fill("#message", "Wie onderhoudt de tuin in de zomervakantie?")
    team.click("button:has-text('Vraag stellen')")
    expect_text(team, "Uw vraag is verstuurd")
    # The resident changes the plan and answers; the team sees what changed.
    # Typing the answer first and then changing the plan loses nothing typed.
    rctx, resident = sign_in(browser, "bewoner@demo.planloket.nl")
    resident.goto(BASE + f"/plannen/{plan_id}")
    expect_text(resident, "Antwoord graag vóór")
    resident.fill("#answer", "De buren doen dat om de beurt.")
    resident.click("button:has-text('Antwoord bewaren en plan aanpassen')")
    assert resident.url.endswith(f"/plannen/{plan_id}/bewerken"), resident.url
    resident.fill("#description", "Een moestuin achter het buurthuis, samen met de school en de buren.")
    resident.click("button:has-text('Concept opslaan')")
    assert resident.input_value("#answer") == "De buren doen dat om de beurt."
    # A cost sheet with the answer (issue 32): the plan takes files while it waits for one.
    sheet = os.path.join(SCREENS, "begroting-moestuin.pdf")
    with open(sheet, "wb") as f:
        f.write(b"%PDF-1.4\n% begroting moestuin\n")
    resident.set_input_files("#bestand-plan", sheet)
    resident.click("button:has-text('Bijlage toevoegen')")
    expect_text(resident, "De bijlage is toegevoegd")
    expect_text(resident, "begroting-moestuin.pdf")
    axe(resident, "plan-bijlagen")
    assert resident.input_value("#answer") == "De buren doen dat om de beurt."
    # A co-applicant (issue 32): the resident invites the demo partner, who changes the plan
    # too and cannot submit it; the resident resubmits.
    resident.fill("#mede-email", "partner@demo.planloket.nl")
    resident.click("button:has-text('Uitnodigen')")
    expect_text(resident, "De uitnodiging is verstuurd")
    expect_text(resident, "Demo partner")
    axe(resident, "plan-mede-indieners")
    pctx, partner = sign_in(browser, "partner@demo.planloket.nl")
    partner.goto(BASE + f"/plannen/{plan_id}")
    expect_text(partner, "Uit dit plan stappen")
    assert partner.locator("main button:has-text('Opnieuw indienen')").count() == 0, "only the owner resubmits"
    axe(partner, "plan-mede-indiener")
    partner.click("main a:has-text('Bewerken')")
    expect_text(partner, "U bent mede-indiener")
    assert partner.locator("main button:has-text('Plan indienen')").count() == 0
    partner.fill("#resident_involvement", "Bewoners en de partner onderhouden de tuin.")
    axe(partner, "plan-bewerken-mede-indiener")
    partner.click("button:has-text('Concept opslaan')")
    expect_text(partner, "Uw concept is opgeslagen")
    expect_text(partner, "Bewoners en de partner onderhouden de tuin.")
    pctx.close()
    resident.goto(BASE + f"/plannen/{plan_id}")
    assert resident.input_value("#answer") == "De buren doen dat om de beurt."
    resident.click("button:has-text('Opnieuw indienen')")
    expect_text(resident, "Uw plan is opnieuw ingediend")
    rctx.close()
    tctx.close()
    return plan_id


def round_assessment(browser, plan_id, round_href):
    """The rest of a round in the browser: two team members evaluate, the team pre-advises and
    opens the vote, three board members take part (one declares a conflict), the chair closes,
    the team adopts, and the resident reads the outcome."""
    round_id = round_href.split("/")[-1]
    # The admin gives a second team member and a third board member an account.
    actx, admin = sign_in(browser, "admin@demo.planloket.nl")
    for name, address, role in [("Sanne de Wit", "team2@demo.planloket.nl", "programme-team"),
                                ("Karim Aziz", "lid3@demo.planloket.nl", "board-member")]:
        admin.goto(BASE + "/beheer/gebruikers/nieuw")
        admin.fill("#name", name)
        admin.fill("#email", address)
        admin.fill("#password", PASSWORD)
        admin.check(f"#role-{role}")
        admin.click("button:has-text('Opslaan')")
        expect_text(admin, "Het account is aangemaakt")
    actx.close()

    ctx, team = sign_in(browser, "team@demo.planloket.nl")
    team.goto(BASE + "/beoordelen")
    expect_text(team, "Aantal per status")
    axe(team, "beoordelen")
    team.select_option("#status", "submitted")
    team.click("button:has-text('Filteren')")
    team.click("main table a:has-text('Buurtmoestuin Noord')")
    # Asked and answered before the adoption (round_filing): what changed is shown.
    expect_text(team, "De buren doen dat om de beurt.")
    expect_text(team, "Gewijzigd: Omschrijving")
    expect_text(team, "samen met de school en de buren")
    expect_text(team, "begroting-moestuin.pdf")
    axe(team, "plan-team")
    # The conversation (issue 32): the team writes to the resident beside the formal question.
    team.fill("#bericht", "Wij zoeken nog een school die meedoet. Kent u er een?")
    team.click("button:has-text('Bericht versturen')")
    expect_text(team, "Uw bericht is verstuurd")
    expect_text(team, "Gesprek met de indieners")
    axe(team, "plan-team-gesprek")
    team.click("button:has-text('In behandeling nemen')")
    expect_text(team, "Het plan is in behandeling genomen")
    # The co-applicant's change is in the version, with who made it.
    expect_text(team, "gewijzigd door")
    expect_text(team, "Demo partner")
    # An external reviewer (issue 32): assigned on the plan's page with a due date; the team
    # member who assigned them finds nothing under "Aan mij toegewezen" (not assigned
    # themselves); the reviewer's work list holds the plan, which they evaluate.
    team.check("label:has-text('Demo externe beoordelaar (externe beoordelaar)')")
    team.fill("#datum", (datetime.date.today() + datetime.timedelta(days=10)).isoformat())
    team.click("button:has-text('Beoordelaars opslaan')")
    expect_text(team, "De beoordelaars zijn opgeslagen")
    axe(team, "plan-team-beoordelaars")
    assert mails_to("beoordelaar@demo.planloket.nl", "Gevraagd: beoordeel"), "the reviewer is mailed"
    team.goto(BASE + "/beoordelen?ronde=alle&toegewezen=mij")
    expect_text(team, "Plannen (0)")
    axe(team, "beoordelen-toegewezen")
    rvctx, reviewer = sign_in(browser, "beoordelaar@demo.planloket.nl")
    reviewer.goto(BASE + "/beoordelen?ronde=alle")
    expect_text(reviewer, "U ziet de plannen die aan u zijn toegewezen")
    expect_text(reviewer, "Plannen (1)")
    axe(reviewer, "beoordelen-beoordelaar")
    reviewer.click("main table a:has-text('Buurtmoestuin Noord')")
    assert "Gesprek met de indieners" not in reviewer.inner_text("main"), "a reviewer does not read the conversation"
    axe(reviewer, "plan-beoordelaar")
    reviewer.goto(BASE + f"/plannen/{plan_id}/beoordeling")
    for select in reviewer.eval_on_selector_all("select[id^='score_']", "els => els.map(e => e.id)"):
        reviewer.select_option(f"#{select}", "2")
    reviewer.click("button:has-text('Beoordeling opslaan')")
    expect_text(reviewer, "Uw beoordeling is opgeslagen")
    rvctx.close()
    team.goto(BASE + f"/plannen/{plan_id}")
    # No question after the adoption: the page does not offer one.
    assert team.locator("a:has-text('Vraag stellen aan de indiener')").count() == 0
    team.goto(BASE + f"/plannen/{plan_id}/samenvoegen")
    axe(team, "samenvoegen")
    # The own evaluation: a missing score is named, then all are given.
    team.goto(BASE + f"/plannen/{plan_id}/beoordeling")
    axe(team, "beoordeling")
    criteria = [c.split("_", 1)[1] for c in team.eval_on_selector_all("select[id^='score_']", "els => els.map(e => e.id)")]
    for c in criteria[1:]:
        team.select_option(f"#score_{c}", "2")
    team.click("button:has-text('Beoordeling opslaan')")
    assert error_summary(team), "a missing score is named"
    axe(team, "beoordeling-fout")
    team.select_option(f"#score_{criteria[0]}", "3")
    team.fill(f"#motivatie_{criteria[0]}", "Veel bewoners doen mee.")
    team.click("button:has-text('Beoordeling opslaan')")
    expect_text(team, "Uw beoordeling is opgeslagen")

    ctx2, team2 = sign_in(browser, "team2@demo.planloket.nl")
    team2.goto(BASE + f"/plannen/{plan_id}/beoordeling")
    for c in criteria:
        team2.select_option(f"#score_{c}", "nvt" if c == "MEERDERE_DOELEN" else "2")
    team2.click("button:has-text('Beoordeling opslaan')")
    expect_text(team2, "Uw beoordeling is opgeslagen")
    ctx2.close()

    # The pre-advice: the means beside each criterion, the scores prefilled from them.
    team.goto(BASE + f"/plannen/{plan_id}/pre-advies")
    expect_text(team, "Sanne de Wit")
    assert team.input_value(f"#score_{criteria[0]}") in ("2", "3"), "prefilled from the mean"
    axe(team, "pre-advies")
    team.check("#recommendation-positive")
    team.fill("#proposed_eur", "9000")
    team.fill("#motivation", "Past goed bij doel B.")
    if team.input_value("#score_MEERDERE_DOELEN") == "":
        team.select_option("#score_MEERDERE_DOELEN", "1")
    team.click("button:has-text('Pre-advies vastleggen')")
    assert error_summary(team), "more than requested is refused"
    axe(team, "pre-advies-fout")
    team.fill("#proposed_eur", "5000")
    team.click("button:has-text('Pre-advies vastleggen')")
    expect_text(team, "Het pre-advies is vastgelegd")
    team.click("button:has-text('Stemming openen')")
    expect_text(team, "De stemming is geopend")

    # The board: one declares a conflict, one votes for with a comment, the chair votes.
    ctx3, lid3 = sign_in(browser, "lid3@demo.planloket.nl")
    lid3.goto(BASE + "/bestuur")
    assert lid3.goto(BASE + "/beoordelen").status == 403, "the board does not reach the team's list"
    lid3.goto(BASE + "/bestuur")
    lid3.click(f"#plan-{plan_id} summary")
    lid3.fill(f"#reason-{plan_id}", "Mijn zus leidt de school.")
    lid3.click(f"#plan-{plan_id} button:has-text('Belangenconflict melden')")
    expect_text(lid3, "Uw belangenconflict is vastgelegd")
    expect_text(lid3, "U stemt niet over dit plan")
    axe(lid3, "bestuur-belang")
    ctx3.close()
    ctx4, member = sign_in(browser, "bestuur@demo.planloket.nl")
    member.goto(BASE + "/bestuur")
    axe(member, "bestuur")
    member.click(f"#plan-{plan_id} button:has-text('Stem uitbrengen')")
    assert error_summary(member), "a vote without a choice is named"
    member.check(f"#vote-{plan_id}-for")
    member.fill(f"#comment-{plan_id}", "Mooi plan.")
    member.click(f"#plan-{plan_id} button:has-text('Stem uitbrengen')")
    expect_text(member, "Uw stem is opgeslagen")
    assert member.is_checked(f"#vote-{plan_id}-for")
    ctx4.close()
    ctx5, chair = sign_in(browser, "voorzitter@demo.planloket.nl")
    chair.goto(BASE + "/bestuur")
    expect_text(chair, "1 van 2 stemgerechtigden")
    chair.check(f"#vote-{plan_id}-for")
    chair.click(f"#plan-{plan_id} button:has-text('Stem uitbrengen')")
    expect_text(chair, "2 van 2 stemgerechtigden")
    expect_text(chair, "Het pre-advies wordt zo gevolgd")
    axe(chair, "bestuur-voorzitter")
    chair.click(f"#plan-{plan_id} button:has-text('Stemming sluiten')")
    # First what closing brings; nothing is closed before "Ja".
    expect_text(chair, "Wat er daarna gebeurt")
    expect_text(chair, "De indiener hoort de uitkomst pas na die vaststelling")
    axe(chair, "stemming-sluiten-bevestigen")
    chair.click("button:has-text('Ja, stemming sluiten')")
    expect_text(chair, "het bestuur volgt het pre-advies")
    chair.goto(BASE + round_href + "/rangorde")
    expect_text(chair, "Buurtmoestuin Noord")
    axe(chair, "rangorde")
    ctx5.close()

    # Budget: the team reserves money for a purpose (a mistake first), then releases it.
    team.goto(BASE + round_href + "/budget")
    team.fill("#amount_eur", "veel")
    team.fill("#purpose", "Regie op taalaanbod")
    team.click("button:has-text('Reserveren')")
    assert any(i.startswith("Bedrag") for i in error_summary(team))
    axe(team, "budget-fout")
    team.fill("#amount_eur", "15000")
    team.click("button:has-text('Reserveren')")
    expect_text(team, "De reservering is vastgelegd")
    expect_text(team, "€ 15.000 voor \"Regie op taalaanbod\"")
    axe(team, "budget")
    team.click("button:has-text('Vrijgeven: Regie op taalaanbod')")
    expect_text(team, "De reservering is vrijgegeven")
    assert '€ 15.000 voor "Regie op taalaanbod"' not in team.inner_text("main"), "released"
    team.goto(BASE + round_href + "/vaststelling")
    expect_text(team, "Buurtmoestuin Noord")
    axe(team, "vaststelling")
    team.fill("#reference", "")
    team.click("button:has-text('Vaststelling vastleggen')")
    assert error_summary(team), "an adoption needs its reference"
    team.fill("#reference", "B&W 2025/120")
    # The team's own action, submitted earlier, is still being assessed: it waits.
    team.get_by_label("Integrale leefbaarheidsactie").check()
    # The page asks for confirmation before it records anything.
    team.click("button:has-text('Vaststelling vastleggen')")
    assert any(i.startswith("Bevestiging") for i in error_summary(team)), error_summary(team)
    team.check("#bevestigd")
    team.click("button:has-text('Vaststelling vastleggen')")
    expect_text(team, "De vaststelling is vastgelegd")
    expect_text(team, "B&W 2025/120")
    ctx.close()

    ctx6, resident = sign_in(browser, "bewoner@demo.planloket.nl")
    resident.goto(BASE + f"/plannen/{plan_id}")
    expect_text(resident, "toegekend: € 5.000")
    axe(resident, "plan-besluit-bewoner")
    # The team's message waits in the conversation (and was mailed); the resident answers.
    expect_text(resident, "Wij zoeken nog een school die meedoet.")
    assert mails_to("bewoner@demo.planloket.nl", "Nieuw bericht over"), "the resident is told of the message"
    resident.fill("#bericht", "De Vlinderboom doet graag mee.")
    resident.click("button:has-text('Bericht versturen')")
    expect_text(resident, "Uw bericht is verstuurd")
    expect_text(resident, "De Vlinderboom doet graag mee.")
    axe(resident, "plan-gesprek-bewoner")
    # The round's plans, shown to its applicants now that the window has closed (issue 32).
    resident.click("a:has-text('Plannen van de ronde')")
    expect_text(resident, "Alle plannen")
    expect_text(resident, "Buurtmoestuin Noord")
    assert "bewoner@demo.planloket.nl" not in resident.inner_text("main")
    axe(resident, "plannen-van-de-ronde")
    ctx6.close()


def admin_journey(browser):
    """The admin keeps accounts, organisations and the mail; the team sees the mail masked."""
    ctx, page = sign_in(browser, "admin@demo.planloket.nl")
    page.goto(BASE + "/beheer/gebruikers")
    expect_text(page, "joost@example.nl")
    axe(page, "beheer-gebruikers")
    page.click("a:has-text('Nieuw account')")
    page.fill("#email", "geen-adres")
    page.click("button:has-text('Opslaan')")
    items = error_summary(page)
    assert any(i.startswith("Naam") for i in items) and any(i.startswith("E-mailadres") for i in items), items
    assert any(i.startswith("Rollen") for i in items), items
    axe(page, "beheer-account-fout")
    page.fill("#name", "Noor Bakker")
    page.fill("#email", "noor@demo.planloket.nl")
    page.fill("#password", "een-lang-wachtwoord-10")
    page.check("#role-programme-team")
    page.click("button:has-text('Opslaan')")
    expect_text(page, "Het account is aangemaakt")
    # Noor signs in; the admin deactivates her; her session ends at once.
    ctx2, noor = sign_in(browser, "noor@demo.planloket.nl", "een-lang-wachtwoord-10")
    noor.goto(BASE + "/beoordelen")
    assert noor.url.endswith("/beoordelen"), noor.url
    page.click("a:has-text('Noor Bakker')")
    axe(page, "beheer-account")
    page.uncheck("#active")
    page.click("button:has-text('Opslaan')")
    expect_text(page, "Het account is gewijzigd")
    expect_text(page, "nee (gedeactiveerd)")
    noor.goto(BASE + "/beoordelen")
    assert "/inloggen" in noor.url, f"a deactivated account kept its session: {noor.url}"
    ctx2.close()
    # Organisations: a name that exists is refused; a claim is confirmed.
    page.goto(BASE + "/beheer/organisaties")
    axe(page, "beheer-organisaties")
    existing = page.locator("main h3").first.inner_text()
    page.fill("#name", existing)
    page.click("button:has-text('Organisatie toevoegen')")
    assert any(i.startswith("Naam") for i in error_summary(page))
    page.fill("#name", "Speeltuinvereniging De Vlinder")
    page.click("button:has-text('Organisatie toevoegen')")
    expect_text(page, "De organisatie is toegevoegd")
    expect_text(page, "Speeltuinvereniging De Vlinder")
    if page.locator("button:has-text('Bevestigen')").count():
        page.locator("button:has-text('Bevestigen')").first.click()
        expect_text(page, "Het lidmaatschap is bevestigd")
    # The outbox: the admin sees the addresses.
    page.goto(BASE + "/beheer/post")
    expect_text(page, "fatima@example.nl")
    axe(page, "beheer-post")
    ctx.close()
    ctx3, team = sign_in(browser, "team@demo.planloket.nl")
    team.goto(BASE + "/beheer/post")
    assert "fatima@example.nl" not in team.inner_text("main"), "the team sees addresses masked"
    assert team.locator("button:has-text('Opnieuw versturen')").count() == 0
    axe(team, "beheer-post-team")
    assert team.goto(BASE + "/beheer/gebruikers").status == 403
    ctx3.close()


def round_form_journey(browser):
    """The team opens a new round in the form, with a mistake first, and from JSON."""
    ctx, team = sign_in(browser, "team@demo.planloket.nl")
    team.goto(BASE + "/beoordelen")
    team.click("a:has-text('Nieuwe ronde')")
    axe(team, "ronde-nieuw")
    team.fill("#name", "Sterk voor Noord — 2027")
    team.fill("#start_year", "2027")
    team.fill("#end_year", "2026")
    team.fill("#opens_at", "2027-01-10T09:00")
    team.fill("#closes_at", "2027-03-31T17:00")
    team.fill("#authority", "het college van burgemeester en wethouders van Leidschendam-Voorburg")
    team.fill("#legal_basis", "Algemene subsidieverordening Leidschendam-Voorburg")
    team.fill("#objection_address", "Postbus 1005, 2260 BA Leidschendam")
    team.fill("#theme_code_0", "JJO")
    team.fill("#theme_name_0", "Jeugd en onderwijs")
    team.fill("#theme_budget_0", "50.000")
    team.fill("#theme_goals_0", "A: Meer kinderen sporten\nB: Betere schoolresultaten")
    team.fill("#criterion_code_0", "IMPACT")
    team.fill("#criterion_name_0", "Impact")
    team.fill("#criterion_scale_0", "3")
    team.click("button:has-text('Ronde opslaan')")
    items = error_summary(team)
    assert any(i.startswith("Laatste jaar") for i in items), items
    assert team.input_value("#theme_goals_0").startswith("A: Meer kinderen sporten")
    axe(team, "ronde-nieuw-fout")
    team.fill("#end_year", "2028")
    team.click("button:has-text('Ronde opslaan')")
    expect_text(team, "Sterk voor Noord — 2027")
    expect_text(team, "Meer kinderen sporten")
    round_url = team.url
    team.goto(round_url + "/bewerken")
    assert team.input_value("#closes_at") == "2027-03-31T17:00", "shown in Dutch time as entered"
    axe(team, "ronde-bewerken")
    # The same frame pasted as JSON; a broken one is named.
    team.goto(BASE + "/rondes/nieuw")
    team.fill("#json", "{ niet goed")
    team.click("button:has-text('Ronde opslaan uit JSON')")
    assert any(i.startswith("JSON") for i in error_summary(team))
    frame = api("GET", "/rounds/" + round_url.split("/")[-1])
    body = {k: frame[k] for k in ["name", "programme", "start_year", "end_year", "opens_at", "closes_at", "themes", "criteria", "conditions", "authority", "legal_basis", "objection_address"] if k in frame}
    body["name"] = "Sterk voor Noord — 2027, kopie"
    team.fill("#json", json.dumps(body))
    team.click("button:has-text('Ronde opslaan uit JSON')")
    expect_text(team, "Sterk voor Noord — 2027, kopie")
    # Or uploaded as a file: one that is no text is named, the frame's file is taken.
    team.goto(BASE + "/rondes/nieuw")
    team.set_input_files("#bestand", files=[{"name": "kader.json", "mimeType": "application/json", "buffer": b"\xff\xfe\x00"}])
    team.click("button:has-text('Ronde opslaan uit JSON')")
    assert any(i.startswith("JSON-bestand") for i in error_summary(team)), error_summary(team)
    axe(team, "ronde-bestand-fout")
    body["name"] = "Sterk voor Noord — 2027, uit een bestand"
    team.set_input_files("#bestand", files=[{"name": "kader.json", "mimeType": "application/json", "buffer": json.dumps(body).encode()}])
    team.click("button:has-text('Ronde opslaan uit JSON')")
    expect_text(team, "Sterk voor Noord — 2027, uit een bestand")
    # The adopted 2025-2026 round goes on into a next period from its edit page (a mistake
    # first): a new round with its frame, the continuing actions as drafts.
    earlier = next(r for r in api("GET", "/rounds")["items"] if r["start_year"] == 2025)
    team.goto(BASE + f"/rondes/{earlier['id']}/bewerken")
    team.fill("#copy_name", "Sterk voor Noord — uitvoeringsplan 2029-2030")
    team.fill("#copy_start_year", "2030")
    team.fill("#copy_end_year", "2029")
    team.click("button:has-text('Nieuwe ronde maken')")
    assert error_summary(team), "a period that ends before it starts is named"
    axe(team, "volgende-periode-fout")
    team.fill("#copy_start_year", "2029")
    team.fill("#copy_end_year", "2030")
    team.fill("#copy_opens_at", "2028-11-01T09:00")
    team.fill("#copy_closes_at", "2029-01-31T17:00")
    team.click("button:has-text('Nieuwe ronde maken')")
    expect_text(team, "Sterk voor Noord — uitvoeringsplan 2029-2030")
    copied = next(r for r in api("GET", "/rounds")["items"] if r["start_year"] == 2029)
    assert [t["budget_eur"] for t in copied["themes"]] == [t["budget_eur"] for t in earlier["themes"]], copied
    ctx.close()


def sso_journey(browser):
    """A team member signs in through the municipality's identity provider (its development
    login form), with the pages' own content security policy in force, and lands on their
    work; a callback the service did not ask for is a Dutch page."""
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(BASE + "/inloggen")
    page.click("a:has-text('Inloggen met Gemeente Leidschendam-Voorburg')")
    page.fill("input[name=login]", "sanne")
    page.fill("input[name=password]", "wat-dan-ook")
    page.click("button[type=submit]")
    page.wait_for_url(BASE + "/beoordelen*")
    expect_text(page, "U bent ingelogd")
    expect_text(page, "Sanne Gemeente")
    ctx.close()
    ctx = browser.new_context(bypass_csp=True)
    page = ctx.new_page()
    page.goto(BASE + "/inloggen")
    axe(page, "inloggen-met-gemeente")
    page.goto(BASE + "/inloggen/oidc?code=niet-van-ons&state=niet-van-ons")
    expect_text(page, "Inloggen met Gemeente Leidschendam-Voorburg is niet gelukt")
    axe(page, "inloggen-met-gemeente-mislukt")
    ctx.close()


def keyboard_journey(browser):
    """Signing in and filing a plan with the keyboard alone."""
    ctx = browser.new_context(bypass_csp=True)
    page = ctx.new_page()
    page.goto(BASE + "/inloggen")

    def tab_to(selector, limit=400):
        target = page.locator(selector).first
        for _ in range(limit):
            page.keyboard.press("Tab")
            if target.evaluate("e => e === document.activeElement"):
                return
        raise AssertionError(f"{selector} cannot be reached with Tab on {page.url}")

    # The first Tab shows the skip link.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Naar de inhoud"
    tab_to("#email")
    page.keyboard.type("bewoner@demo.planloket.nl")
    tab_to("#password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(BASE + "/mijn-plannen*")
    tab_to("a:has-text('Nieuw plan in')")
    page.keyboard.press("Enter")
    page.wait_for_url("**/plannen/nieuw")
    tab_to("#title")
    page.keyboard.type("Voorleesuur")
    tab_to("#goal-A")
    page.keyboard.press("Space")
    tab_to("button:has-text('Concept opslaan')")
    page.keyboard.press("Enter")
    page.wait_for_url("**/plannen/*?bericht=opgeslagen")
    expect_text(page, "Uw concept is opgeslagen")
    expect_text(page, "A — ")
    tab_to("main a:has-text('Intrekken'), main a:has-text('Bewerken')")
    ctx.close()


def own_action_journey(browser):
    """The demo's earlier round is the real action table, adopted; its continuing actions wait
    in the open round as drafts. The team finds one of the municipality's own actions in the
    work list and submits it (checked first), as the organisation's plan."""
    page = browser.new_context(bypass_csp=True).new_page()
    rounds = api("GET", "/rounds")["items"]
    earlier = next(r for r in rounds if r["start_year"] == 2025)
    page.goto(BASE + f"/rondes/{earlier['id']}/overzicht")
    expect_text(page, "Zit in basis financiering")
    expect_text(page, "Geen bijdrage")
    # The adopted table as published: the reservations as rows, the document's totals per
    # theme, residents' rows, text-only other funding and the printed note.
    expect_text(page, "Gereserveerd")
    for total in ["€ 145.450", "€ 72.770", "€ 94.370"]:
        expect_text(page, total)
    expect_text(page, "Inwoner(s)")
    expect_text(page, "Aangevuld door Inholland")
    expect_text(page, "Gaat ten laste budget financiële zelfredzaamheid")
    axe(page, "overzicht-2025-2026")
    csv = page.request.get(BASE + f"/rondes/{earlier['id']}/overzicht.csv")
    assert csv.status == 200 and "Regie op taalaanbod" in csv.text(), csv.status
    page.click("a:has-text('Afdrukversie')")
    expect_text(page, "Overzicht acties")
    expect_text(page, "Terug naar het overzicht")
    axe(page, "overzicht-afdrukken")
    ctx, team = sign_in(browser, "team@demo.planloket.nl")
    team.goto(BASE + "/beoordelen")
    row = team.locator("main table tr:has-text('Integrale leefbaarheidsactie')")
    expect_text(team, "Integrale leefbaarheidsactie")
    assert "concept" in row.inner_text(), row.inner_text()
    axe(team, "werklijst-concepten")
    row.locator("a:has-text('Indienen')").click()
    # A copied action has no period yet: the check says so, and the form takes it.
    expect_text(team, "Dit ontbreekt nog")
    axe(team, "indienen-team-ontbreekt")
    team.click("main a:has-text('Plan aanvullen')")
    axe(team, "bewerken-team")
    team.fill("#start_year", "2027")
    team.fill("#end_year", "2028")
    team.click("button:has-text('Plan indienen')")
    expect_text(team, "Alles is ingevuld")
    axe(team, "indienen-team")
    team.click("main button:has-text('Plan indienen')")
    expect_text(team, "ingediend")
    plan_id = team.url.split("/")[-1].split("?")[0]
    shown = api("GET", f"/plans/{plan_id}", token("team@demo.planloket.nl"))
    assert shown["status"] == "submitted" and shown["own_action_of"], shown
    assert shown["links"][0]["relation"] == "continues", shown

    # A resident comes to the desk: the team files the plan for her (a mistake first), she
    # gets an invitation with a sign-in link, reads the plan and submits it herself.
    team.goto(BASE + "/beoordelen")
    team.click("main a:has-text('Plan indienen voor iemand')")
    axe(team, "namens-nieuw")
    team.fill("#title", "Buurtkoor De Heuvel")
    team.click("button:has-text('Concept opslaan')")
    assert error_summary(team), "for whom must be chosen"
    axe(team, "namens-fout")
    team.check("#voor-persoon")
    team.fill("#voor_email", "mevrouw.el.idrissi@example.nl")
    team.fill("#voor_naam", "Samira el Idrissi")
    before = time.time()
    team.click("button:has-text('Concept opslaan')")
    expect_text(team, "Het plan staat klaar voor de indiener")
    link = mail_link("mevrouw.el.idrissi@example.nl", before)
    rctx = browser.new_context(bypass_csp=True)
    resident = rctx.new_page()
    resident.goto(link)
    resident.click("button:has-text('Inloggen')")
    expect_text(resident, "Buurtkoor De Heuvel")
    rctx.close()

    # Money held for a purpose becomes a plan in one step, and stays held for it.
    rounds = api("GET", "/rounds")["items"]
    open_round = rounds[0]["id"]
    api("POST", f"/rounds/{open_round}/reservations", token("team@demo.planloket.nl"),
        {"theme": "FZT", "amount_eur": 12000, "purpose": "Taalcoördinatie"})
    team.goto(BASE + f"/rondes/{open_round}/budget")
    team.click("main a:has-text('Plan maken')")
    expect_text(team, "Uit de reservering van € 12.000")
    axe(team, "reservering-plan")
    team.check("#voor-organisatie")
    team.select_option("#voor_organisatie_id", label="Gemeente Leidschendam-Voorburg")
    team.click("button:has-text('Concept opslaan')")
    expect_text(team, "Uw concept is opgeslagen")
    team.goto(BASE + f"/rondes/{open_round}/budget")
    expect_text(team, "vastgehouden voor")
    ctx.close()


def grants_journey(browser, plan_id, round_href):
    """After adoption: the resident files the final report of their grant (an error first) with
    a PDF; the team records a payee's bank account (a wrong IBAN first) and releases an advance
    of the adopted 2025-2026 table; finance confirms the account, makes a batch, downloads its
    SEPA file and marks it paid; the
    team sets the resident's final amount (an error first); everyone reads the results."""
    round_id = round_href.split("/")[-1]
    ctx, resident = sign_in(browser, "bewoner@demo.planloket.nl")
    resident.goto(BASE + "/subsidies")
    expect_text(resident, "Uw subsidies")
    axe(resident, "subsidies-bewoner")
    resident.click("main table a")
    grant_url = resident.url
    expect_text(resident, "Verslag indienen")
    axe(resident, "subsidie-bewoner")
    resident.select_option("#kind", "final")
    resident.fill("#reach", "veel")
    resident.click("button:has-text('Verslag indienen')")
    items = error_summary(resident)
    assert any(i.startswith("Wat is er gedaan") for i in items), items
    assert any(i.startswith("Bereik") for i in items), items
    axe(resident, "verslag-fout")
    resident.select_option("#kind", "final")
    resident.fill("#done", "Elke week een buurtmaaltijd; de moestuin is aangelegd.")
    resident.fill("#reach", "35")
    resident.fill("#spent_programme", "4.000")
    resident.fill("#spent_source_0", "Eigen bijdrage bewoners")
    resident.fill("#spent_amount_0", "250")
    resident.click("button:has-text('Verslag indienen')")
    # Before the project's last year a final report is the report of a project that stops
    # early: the form asks why (the demo's action runs on past this year).
    if "Uw verslag is ingediend" not in resident.inner_text("body"):
        items = error_summary(resident)
        assert any(i.startswith("Waarom is de actie gestopt") for i in items), items
        resident.fill("#stopped_reason", "De moestuin is eerder klaar dan gepland; de maaltijden gaan door zonder bijdrage.")
        resident.click("button:has-text('Verslag indienen')")
    expect_text(resident, "Uw verslag is ingediend")
    pdf = os.path.join(SCREENS, "eindverslag.pdf")
    with open(pdf, "wb") as f:
        f.write(b"%PDF-1.4\n% eindverslag\n")
    resident.set_input_files("input[type=file]", pdf)
    resident.click("button:has-text('Bijlage toevoegen')")
    expect_text(resident, "De bijlage is toegevoegd")
    expect_text(resident, "eindverslag.pdf")
    # A second file is added beside the first, never over it; each can be removed.
    png = os.path.join(SCREENS, "moestuin.png")
    with open(png, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n moestuin")
    resident.set_input_files("input[type=file]", png)
    resident.click("button:has-text('Bijlage toevoegen')")
    expect_text(resident, "moestuin.png")
    expect_text(resident, "eindverslag.pdf")
    axe(resident, "subsidie-verslag")
    resident.click("button[aria-label='moestuin.png verwijderen']")
    expect_text(resident, "De bijlage is verwijderd")
    assert "moestuin.png" not in resident.inner_text("main")
    expect_text(resident, "eindverslag.pdf")
    ctx.close()

    ctx, team = sign_in(browser, "team@demo.planloket.nl")
    team.goto(BASE + "/betalingen")
    expect_text(team, "Klaar om vrij te geven")
    expect_text(team, "(SVN-2025-")
    axe(team, "betalingen")
    team.locator("a:has-text('Bankrekening vastleggen')").first.click()
    expect_text(team, "Er is nog geen bankrekening vastgelegd")
    team.fill("#iban", "NL91 ABNA 0417 1643 01")
    team.fill("#holder", "Stichting Voorbeeld")
    team.click("button:has-text('Bankrekening opslaan')")
    assert any(i.startswith("IBAN") for i in error_summary(team))
    axe(team, "bankrekening-fout")
    team.fill("#iban", "NL91 ABNA 0417 1643 00")
    team.click("button:has-text('Bankrekening opslaan')")
    expect_text(team, "De bankrekening is opgeslagen")
    expect_text(team, "NL91 ABNA 0417 1643 00")
    axe(team, "bankrekening")
    team.goto(BASE + "/betalingen")
    # A payment waits for its conditions: the team records one as met, with what shows it.
    expect_text(team, "Nog niet voldaan.")
    met = team.locator("main form[action$='/voldaan']").first
    met.locator("input[name=note]").fill("Afspraak per brief van 3 maart ontvangen")
    met.locator("button").click()
    expect_text(team, "Vastgelegd: aan de voorwaarde is voldaan.")
    expect_text(team, "Afspraak per brief van 3 maart ontvangen")
    axe(team, "betalingen-voorwaarde")
    team.locator("main form[action$='/vrijgeven'] button").first.click()
    expect_text(team, "De betaling is vrijgegeven")
    expect_text(team, "De bankrekening is nog niet bevestigd")
    assert team.locator("button:has-text('Batch maken voor de bank')").count() == 0, "four eyes"

    # Four eyes: the financial administration confirms the account and pays the batch.
    fctx, finance = sign_in(browser, "financien@demo.planloket.nl")
    # Staff land on their own work: finance on the payments.
    assert "/betalingen" in finance.url, finance.url
    finance.goto(BASE + "/betalingen")
    expect_text(finance, "De bankrekening is nog niet bevestigd")
    axe(finance, "betalingen-financien")
    finance.locator("a:has-text('Bankrekening bekijken')").first.click()
    expect_text(finance, "Nog niet bevestigd")
    finance.click("button:has-text('Bankrekening bevestigen')")
    expect_text(finance, "De bankrekening is bevestigd")
    expect_text(finance, "Bevestigd door Demo financiële administratie")
    axe(finance, "bankrekening-bevestigd")
    finance.goto(BASE + "/betalingen")
    finance.click("button:has-text('Batch maken voor de bank')")
    expect_text(finance, "De batch is gemaakt")
    href = finance.locator("a:has-text('SEPA-bestand')").first.get_attribute("href")
    xml = finance.request.get(BASE + href)
    assert xml.status == 200 and "pain.001.001.09" in xml.text(), xml.status
    axe(finance, "betalingen-batch")
    finance.locator("main form[action$='/betaald'] button").first.click()
    expect_text(finance, "De batch is als betaald vastgelegd")
    fctx.close()
    team.goto(BASE + "/subsidies")
    expect_text(team, "Alle subsidies")
    axe(team, "subsidies-team")
    team.goto(grant_url)
    expect_text(team, "Subsidie vaststellen")
    assert team.input_value("#amount_eur") == "4000", "the report's spending is suggested"
    expect_text(team, "Volgens het eindverslag is uit het programma € 4.000 besteed")
    team.click("button:has-text('Vaststellen')")
    assert any(i.startswith("Motivering") for i in error_summary(team))
    axe(team, "vaststellen-fout")
    team.fill("#motivation", "Het eindverslag laat zien dat € 4.000 is besteed aan de buurtmaaltijden.")
    team.click("button:has-text('Vaststellen')")
    expect_text(team, "Het subsidiebedrag is vastgesteld")
    expect_text(team, "Vastgesteld")
    axe(team, "subsidie-vastgesteld")
    ctx.close()
    assert mails_to("bewoner@demo.planloket.nl", "Vaststelling van uw subsidie"), "the decision"

    # A payment step posted by hand by the applicant, with a valid form token, changes nothing.
    ctx, resident = sign_in(browser, "bewoner@demo.planloket.nl")
    resident.goto(BASE + "/subsidies")
    r = resident.request.post(BASE + "/betalingen/batches", form={"csrf": csrf_of(resident)})
    assert r.status == 403, r.status
    ctx.close()

    page = browser.new_context(bypass_csp=True).new_page()
    page.goto(BASE + f"/rondes/{round_id}/resultaten")
    expect_text(page, "Resultaten")
    expect_text(page, "Elke week een buurtmaaltijd")
    axe(page, "resultaten")
    page.goto(BASE + f"/rondes/{round_id}/overzicht")
    expect_text(page, "Stand")
    page.context.close()


def erasure_journey(browser):
    """A resident who only began a draft deletes the account from the account page, after a
    wrong password; the privacy page is linked from the registration form."""
    ctx = browser.new_context(bypass_csp=True)
    page = ctx.new_page()
    page.goto(BASE + "/registreren")
    assert page.locator("main a[href='/privacy']").count() == 1
    page.fill("#name", "Kees Kort")
    page.fill("#email", "kees.kort@example.nl")
    page.fill("#password", "een-lang-wachtwoord-8")
    page.check("#kind-resident")
    page.click("button:has-text('Account aanmaken')")
    expect_text(page, "Uw account is aangemaakt")
    page.goto(BASE + "/account")
    page.click("main a:has-text('Bekijk wat planloket over u bewaart')")
    expect_text(page, "Wie uw gegevens bekeek of wijzigde")
    axe(page, "mijn-gegevens")
    with page.expect_download() as download:
        page.click("main a:has-text('Mijn gegevens downloaden')")
    data = json.loads(open(download.value.path()).read())
    assert data["account"]["email"] == "kees.kort@example.nl", data["account"]
    page.goto(BASE + "/account")
    page.click("main a:has-text('Account verwijderen')")
    axe(page, "account-verwijderen")
    page.fill("#password", "niet-mijn-wachtwoord")
    page.click("button:has-text('Account definitief verwijderen')")
    assert any(i.startswith("Uw wachtwoord") for i in error_summary(page))
    axe(page, "account-verwijderen-fout")
    page.fill("#password", "een-lang-wachtwoord-8")
    page.click("button:has-text('Account definitief verwijderen')")
    expect_text(page, "Uw account is verwijderd")
    page.goto(BASE + "/mijn-plannen")
    assert "/inloggen" in page.url, page.url
    ctx.close()


def main():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            round_href = resident_journey(browser)
            keyboard_journey(browser)
            own_action_journey(browser)
            plan_id = round_filing(browser, round_href)
            # It adopts the round, which closes it to new plans; the plan filed above is still
            # being assessed and waits for a supplementary adoption.
            partner_journey(browser, round_href)
            round_assessment(browser, plan_id, round_href)
            grants_journey(browser, plan_id, round_href)
            small_screens(browser, plan_id, round_href)
            admin_journey(browser)
            if os.environ.get("PLANLOKET_JOURNEY_SSO"):
                sso_journey(browser)
            round_form_journey(browser)
            erasure_journey(browser)
            page = browser.new_context(bypass_csp=True).new_page()
            page.goto(BASE + "/bestaat-niet")
            axe(page, "niet-gevonden")
            page.goto(BASE + "/")
            page.click("footer a:has-text('Wat betekent dit?')")
            expect_text(page, "Opgave (thema)")
            axe(page, "begrippen")
            page.click("footer a:has-text('Privacy')")
            expect_text(page, "Bewaartermijnen")
            axe(page, "privacy")
        finally:
            browser.close()
    print(f"journeys passed; axe-core found no violation on {len(checked)} pages: {', '.join(checked)}")


if __name__ == "__main__":
    main()
