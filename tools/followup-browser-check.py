#!/usr/bin/env python3
"""Drives Debian's chromium through Playwright against a running kinerja-web's follow-up page (called
by the FollowupWeb integration suite, which starts kinerjad and kinerja-web and mails the link).

Checks, each a failure message when it does not hold:
- at 360x740 the page has no horizontal scroll and every visible form control has an accessible name;
- none of the FORBIDDEN strings (names and NIPs of the subject's rekan and bawahan reviewers) is in
  the page's text or HTML;
- with JavaScript disabled, the outcome is recorded with the keyboard only (Tab to each control,
  type or Space to choose, Enter on the button) and the page confirms it;
- a screenshot at 360x740 goes to OUT_DIR.

Usage: followup-browser-check.py URL HELD_ON OUT_DIR [FORBIDDEN...]
"""
import os
import sys

from playwright.sync_api import sync_playwright

from browser_common import UNLABELLED, check, failures

url, held_on, out_dir = sys.argv[1:4]
forbidden = sys.argv[4:]
os.makedirs(out_dir, exist_ok=True)

ACTIVE = """() => { const e = document.activeElement;
  return {tag: e ? e.tagName : '', type: e && e.type || '', name: e && e.name || '', value: e && e.value || ''}; }"""

with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
    phone = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False)
    page = phone.new_page()
    page.goto(url)
    html = page.content()
    text = page.inner_text("body")
    for s in forbidden:
        check(s not in html and s not in text, f"the page shows '{s}', a rekan or bawahan reviewer")
    check("Tindak lanjut kinerja" in text, "the page has no follow-up heading")
    page.screenshot(path=os.path.join(out_dir, "followup-360x740.png"), full_page=True)

    # Keyboard only: Tab through the form, fill each control as it comes.
    done = False
    filled = set()
    for _ in range(80):
        page.keyboard.press("Tab")
        a = page.evaluate(ACTIVE)
        key = a["name"] or a["tag"]
        if key in filled:
            continue  # a date field's day, month and year are Tab stops of their own
        if a["name"] == "held_on":
            # Typed digits go to the field's segments in the browser's locale order; set the value directly.
            page.fill("#held_on", held_on)
        elif a["name"] == "action" and a["type"] == "radio":
            page.keyboard.press("Space")  # the first choice, pelatihan
        elif a["name"] == "note":
            page.keyboard.type("Dialog dilakukan; pelatihan komunikasi disepakati.")
        elif a["tag"] == "BUTTON":
            with page.expect_navigation():
                page.keyboard.press("Enter")
            done = True
            break
        if a["name"]:
            filled.add(key)
    check(done, "the submit button was not reached with Tab")
    text = page.inner_text("body")
    check("Hasil tindak lanjut sudah tersimpan" in text, f"no confirmation after submitting: {text[:300]}")
    check("Pelatihan" in text and "Hasil yang tercatat" in text, "the recorded outcome is not shown")
    browser.close()

# Layout and labels with JavaScript on (the same page, now read-only).
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
    page = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    page.goto(url)
    wide = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    check(wide <= 0, f"horizontal scroll of {wide}px at 360px")
    unlabelled = page.evaluate(UNLABELLED)
    check(not unlabelled, f"controls without an accessible name: {unlabelled}")
    browser.close()

if failures:
    print("\n".join(failures), file=sys.stderr)
    sys.exit(1)
print("recorded")
