#!/usr/bin/env python3
"""Drives Debian's chromium through Playwright against a running kinerja-web (called by the
WebBrowser integration suite, which starts kinerjad, kinerja-web and an aiosmtpd sink, sends the
reminders and makes the other links). Each step is a subcommand; every check that does not hold is
printed as `FAIL: ...` on stderr and the exit status is 1.

  reminder MAIL_DIR RECIPIENT OUT_DIR
      Takes the reminder addressed to RECIPIENT from the sink's directory (NNNNNN.json envelope,
      NNNNNN.eml message), follows the personal link in its body, completes two reviews with the
      keyboard only (Tab, Space, arrows, Enter) at 360x740, then revises the first one with
      JavaScript disabled, and checks that a form sent without its anti-forgery value gets 403.
      Prints `link URL`, `submitted ID` (twice) and `revised ID`.
  survey SURVEY_URL OUT_DIR
      Answers the survey with JavaScript disabled (the nine elements and the optional respondent
      fields), then opens it again in the same browser: refused politely (status 200, one response
      per browser per unit per day).
  closed REVIEW_URL OUT_DIR
      The link of a closed cycle: the page says so, is read-only (no form).
  refused OUT_DIR URL...
      Each URL (forged, expired, revoked) gets the one error page with status 404.

Every page visited is checked at 360 px for horizontal scroll and for form controls without an
accessible name; screenshots at 360x740 and 1280x800 go to OUT_DIR.
"""
import email
import email.policy
import glob
import json
import os
import re
import sys

from playwright.sync_api import sync_playwright

from browser_common import UNLABELLED, check, failures

ACTIVE = """() => { const e = document.activeElement; const f = e && e.form;
  const a = f && f.querySelector('input[name=assignment]');
  return {tag: e ? e.tagName : '', type: e && e.type || '', name: e && e.name || '',
          assignment: a ? a.value : '', outline: e ? getComputedStyle(e).outlineStyle : ''}; }"""


def layout(page, what, out_dir, name):
    """No horizontal scroll at the phone's width, every control named, a screenshot."""
    wide = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    check(wide <= 0, f"{what}: horizontal scroll of {wide}px at {page.viewport_size['width']}px")
    size = page.viewport_size
    page.screenshot(path=os.path.join(out_dir, f"{name}-{size['width']}x{size['height']}.png"))


def named_controls(page, what):
    unlabelled = page.evaluate(UNLABELLED)
    check(not unlabelled, f"{what}: controls without an accessible name: {unlabelled}")


def reminder_link(mail_dir, recipient):
    """The first personal link in the body of the reminder the sink received for `recipient`."""
    for envelope_path in sorted(glob.glob(os.path.join(mail_dir, "*.json"))):
        with open(envelope_path) as f:
            envelope = json.load(f)
        if recipient not in envelope.get("recipients", []):
            continue
        with open(envelope_path[:-5] + ".eml", "rb") as f:
            message = email.message_from_binary_file(f, policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",)).get_content()
        found = re.search(r"https?://[^\s/]+/r/[A-Za-z0-9_-]{43}", body)
        check(found is not None, f"the reminder to {recipient} carries no personal link:\n{body}")
        return found.group(0) if found else None
    failures.append(f"no message to {recipient} in {mail_dir}")
    return None


def complete_review_by_keyboard(page, assignment):
    """Tabs to the first radio of the assignment's form, answers every group, submits with Enter."""
    for _ in range(400):
        page.keyboard.press("Tab")
        a = page.evaluate(ACTIVE)
        if a["assignment"] == assignment and a["type"] == "radio":
            break
    else:
        failures.append(f"assignment {assignment}: no radio of its form reachable with Tab")
        return
    check(page.evaluate(ACTIVE)["outline"] not in ("none", ""), "the focused radio shows no outline")
    for _ in range(30):
        a = page.evaluate(ACTIVE)
        if a["type"] == "radio":
            page.keyboard.press("Space")
            page.keyboard.press("ArrowRight")  # 2 of 5 on a value, or the second hasil kerja choice
            page.keyboard.press("Tab")
        elif a["tag"] == "TEXTAREA":
            page.keyboard.type("Diisi dengan papan ketik saja.")
            page.keyboard.press("Tab")
        elif a["tag"] == "BUTTON":
            with page.expect_navigation():
                page.keyboard.press("Enter")
            return
        else:
            failures.append(f"assignment {assignment}: Tab left the form at {a}")
            return
    failures.append(f"assignment {assignment}: the submit button was not reached")


def reminder(browser, mail_dir, recipient, out_dir):
    url = reminder_link(mail_dir, recipient)
    if url is None:
        return
    print(f"link {url}", flush=True)

    # The reviewer's page on a phone, keyboard only.
    phone = browser.new_context(viewport={"width": 360, "height": 740})
    page = phone.new_page()
    opened = page.goto(url)
    check(opened.status == 200, f"the reminder's link answered {opened.status}")
    check("Daftar penilaian" in page.content(), "the reminder's link does not open the reviewer's page")
    named_controls(page, "reviewer page")
    check(page.get_by_role("radio").count() >= 35, "reviewer page: fewer radios than five per value")
    layout(page, "reviewer page", out_dir, "reviewer")
    page.screenshot(path=os.path.join(out_dir, "reviewer-360x740-full.png"), full_page=True)
    ids = page.eval_on_selector_all("input[name=assignment]", "es => es.map(e => e.value)")
    check(len(ids) >= 2, f"reviewer page: {len(ids)} open assignments, two needed")
    for assignment in ids[:2]:
        complete_review_by_keyboard(page, assignment)
        check("penilaian Anda tersimpan" in page.content(), f"assignment {assignment}: no confirmation after submitting")
        print(f"submitted {assignment}", flush=True)
    layout(page, "reviewer page after submitting", out_dir, "reviewer-submitted")

    # A revision with JavaScript off: plain form, the stored answers preselected, one changed.
    nojs = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False)
    page = nojs.new_page()
    page.goto(url)
    if ids:
        first = ids[0]
        form = page.locator(f"form:has(input[name=assignment][value='{first}'])")
        check(form.locator("input[name=akuntabel][value='2']").is_checked(),
              f"assignment {first}: the stored answer is not preselected for the revision")
        form.locator("input[name=akuntabel][value='5']").check()
        with page.expect_navigation() as navigation:
            form.get_by_role("button").click()
        check(navigation.value.status == 200, f"revision answered {navigation.value.status}")
        check("penilaian Anda tersimpan" in page.content(), f"assignment {first}: no confirmation after revising")
        print(f"revised {first}", flush=True)

    # A form whose anti-forgery value was taken out is refused with 403 and changes nothing.
    page = phone.new_page()
    page.goto(url)
    if len(ids) >= 3:
        third = ids[2]
        page.evaluate(f"() => document.querySelector(\"input[name=assignment][value='{third}']\").form"
                      ".querySelector('input[name=csrf]').remove()")
        form = page.locator(f"form:has(input[name=assignment][value='{third}'])")
        for radio in form.locator("input[type=radio][value='3']").all():
            radio.check()
        with page.expect_navigation() as navigation:
            form.get_by_role("button").click()
        check(navigation.value.status == 403, f"a POST without the anti-forgery value answered {navigation.value.status}")
        check("Formulir tidak dapat dikirim" in page.content(), "the 403 page does not say the form cannot be sent")
        layout(page, "403 page", out_dir, "forbidden")
        print(f"forbidden {third}", flush=True)

    desktop = browser.new_context(viewport={"width": 1280, "height": 800})
    page = desktop.new_page()
    page.goto(url)
    layout(page, "reviewer page (desktop)", out_dir, "reviewer")


def survey(browser, url, out_dir):
    # With JavaScript off: plain form, clicks, submitted.
    nojs = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False)
    page = nojs.new_page()
    page.goto(url)
    layout(page, "survey page", out_dir, "survey")
    for i in range(1, 10):
        page.locator(f"input[name=u{i}][value='4']").check()
    page.get_by_label("Umur").select_option("30_39")
    page.get_by_label("Jenis kelamin").select_option("P")
    page.get_by_label("Pendidikan terakhir").select_option("S1")
    page.get_by_label("Pekerjaan utama").select_option("WIRAUSAHA")
    page.get_by_label("Jenis layanan yang diterima").fill("Perizinan usaha")
    page.get_by_label("Saran dan masukan").fill("Tanpa JavaScript pun bisa.")
    page.screenshot(path=os.path.join(out_dir, "survey-filled-360x740-full.png"), full_page=True)
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Kirim jawaban").click()
    check(navigation.value.status == 200, f"survey answered {navigation.value.status}")
    check("Jawaban Anda sudah kami terima" in page.content(), "survey without JavaScript: no thank-you page")
    layout(page, "survey thanks", out_dir, "survey-thanks")

    # The same browser again that day: a polite page, not an error.
    again = page.goto(url)
    check(again.status == 200, f"a second survey visit answered {again.status}")
    check("sudah mengisi survei ini hari ini" in page.content(), "a second survey the same day is not refused politely")
    check(page.locator("form").count() == 0, "a second survey the same day still shows the form")
    layout(page, "survey already answered", out_dir, "survey-again")

    # The survey's controls, read in a context with JavaScript (the check itself is a script).
    for size in ({"width": 360, "height": 740}, {"width": 1280, "height": 800}):
        page = browser.new_context(viewport=size).new_page()
        page.goto(url)
        named_controls(page, "survey page")
        layout(page, "survey page", out_dir, "survey")


def closed(browser, url, out_dir):
    page = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    opened = page.goto(url)
    check(opened.status == 200, f"a closed cycle's link answered {opened.status}")
    check("sudah ditutup" in page.content(), "a closed cycle's page does not say it is closed")
    check(page.locator("form").count() == 0, "a closed cycle's page still has a form")
    named_controls(page, "closed cycle page")
    layout(page, "closed cycle page", out_dir, "closed")


def refused(browser, out_dir, urls):
    page = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    bodies = set()
    for url in urls:
        opened = page.goto(url)
        check(opened.status == 404, f"{url}: answered {opened.status}, not 404")
        check("Tautan tidak berlaku atau sudah kedaluwarsa" in page.content(), f"{url}: not the invalid-link page")
        bodies.add(page.locator("main").inner_text() if page.locator("main").count() else page.content())
    check(len(bodies) == 1, "forged, expired and revoked links do not get the same page")
    layout(page, "invalid link page", out_dir, "invalid-link")


def main(argv):
    command = argv[1] if len(argv) > 1 else ""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        if command == "reminder" and len(argv) == 5:
            os.makedirs(argv[4], exist_ok=True)
            reminder(browser, argv[2], argv[3], argv[4])
        elif command == "survey" and len(argv) == 4:
            os.makedirs(argv[3], exist_ok=True)
            survey(browser, argv[2], argv[3])
        elif command == "closed" and len(argv) == 4:
            os.makedirs(argv[3], exist_ok=True)
            closed(browser, argv[2], argv[3])
        elif command == "refused" and len(argv) >= 4:
            os.makedirs(argv[2], exist_ok=True)
            refused(browser, argv[2], argv[3:])
        else:
            print(__doc__, file=sys.stderr)
            return 2
        browser.close()
    for f in failures:
        print(f"FAIL: {f}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
