"""What the browser checks share: a failure list and the query for form controls without an
accessible name (a label, aria-label, or a button's text; hidden and aria-hidden ones left out)."""

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


UNLABELLED = """() => [...document.querySelectorAll('input, textarea, select, button')]
  .filter(e => e.type !== 'hidden' && !e.closest('[aria-hidden="true"]'))
  .filter(e => {
    const name = (e.labels && [...e.labels].map(l => l.textContent.trim()).join(' ')) || e.getAttribute('aria-label')
      || (e.tagName === 'BUTTON' ? e.textContent.trim() : '');
    return !name;
  }).map(e => e.outerHTML.slice(0, 80))"""
