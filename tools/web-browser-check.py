#!/usr/bin/env python3
"""Drives Debian's chromium through Playwright against a running kinerja-web (called by the
WebBrowser integration suite, which starts kinerjad and kinerja-web and makes the links).

Checks, each a failure message when it does not hold:
- two reviews of the reviewer link are completed with the keyboard only (Tab, Space, arrows, Enter);
- at 360x740 the page has no horizontal scroll; every visible form control has an accessible name;
  the focused control shows an outline;
- with JavaScript disabled the survey form still submits;
- screenshots at 360x740 and 1280x800 go to OUT_DIR.
Prints the assignment ids it submitted, one per line, as `submitted ID`.

Usage: web-browser-check.py REVIEW_URL SURVEY_URL OUT_DIR
"""
import os
import sys

from playwright.sync_api import sync_playwright

from browser_common import UNLABELLED, check, failures

review_url, survey_url, out_dir = sys.argv[1:4]
os.makedirs(out_dir, exist_ok=True)

ACTIVE = """() => { const e = document.activeElement; const f = e && e.form;
  const a = f && f.querySelector('input[name=assignment]');
  return {tag: e ? e.tagName : '', type: e && e.type || '', name: e && e.name || '',
          assignment: a ? a.value : '', outline: e ? getComputedStyle(e).outlineStyle : ''}; }"""


def no_horizontal_scroll(page, what):
    wide = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    check(wide <= 0, f"{what}: horizontal scroll of {wide}px at {page.viewport_size['width']}px")


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


with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])

    # The reviewer's page on a phone, keyboard only.
    phone = browser.new_context(viewport={"width": 360, "height": 740})
    page = phone.new_page()
    page.goto(review_url)
    no_horizontal_scroll(page, "reviewer page")
    unlabelled = page.evaluate(UNLABELLED)
    check(not unlabelled, f"reviewer page: controls without an accessible name: {unlabelled}")
    check(page.get_by_role("radio").count() >= 35, "reviewer page: fewer radios than five per value")
    page.screenshot(path=os.path.join(out_dir, "reviewer-360x740.png"))
    page.screenshot(path=os.path.join(out_dir, "reviewer-360x740-full.png"), full_page=True)
    ids = page.eval_on_selector_all("input[name=assignment]", "es => es.map(e => e.value)")
    check(len(ids) >= 2, f"reviewer page: {len(ids)} open assignments, two needed")
    for assignment in ids[:2]:
        complete_review_by_keyboard(page, assignment)
        check("penilaian Anda tersimpan" in page.content(), f"assignment {assignment}: no confirmation after submitting")
        print(f"submitted {assignment}", flush=True)
    no_horizontal_scroll(page, "reviewer page after submitting")
    page.screenshot(path=os.path.join(out_dir, "reviewer-submitted-360x740.png"))

    desktop = browser.new_context(viewport={"width": 1280, "height": 800})
    page = desktop.new_page()
    page.goto(review_url)
    page.screenshot(path=os.path.join(out_dir, "reviewer-1280x800.png"))
    page.goto(survey_url)
    page.screenshot(path=os.path.join(out_dir, "survey-1280x800.png"))

    # The survey with JavaScript off: plain form, clicks, submitted.
    nojs = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False)
    page = nojs.new_page()
    page.goto(survey_url)
    no_horizontal_scroll(page, "survey page")
    page.screenshot(path=os.path.join(out_dir, "survey-360x740.png"))
    for i in range(1, 10):
        page.locator(f"input[name=u{i}][value='3']").check()
    page.get_by_label("Saran dan masukan").fill("Tanpa JavaScript pun bisa.")
    with page.expect_navigation():
        page.get_by_role("button", name="Kirim jawaban").click()
    check("Jawaban Anda sudah kami terima" in page.content(), "survey without JavaScript: no thank-you page")
    page.screenshot(path=os.path.join(out_dir, "survey-thanks-360x740.png"))

    # The survey's controls, read in a context with JavaScript (the check itself is a script).
    page = phone.new_page()
    page.goto(survey_url)
    unlabelled = page.evaluate(UNLABELLED)
    check(not unlabelled, f"survey page: controls without an accessible name: {unlabelled}")
    browser.close()

for f in failures:
    print(f"FAIL: {f}", file=sys.stderr)
sys.exit(1 if failures else 0)
