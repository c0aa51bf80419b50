"""Drives Debian's chromium with Playwright, in a process of its own.

The test process runs under eventlet's monkey patch (nameko needs it), where Playwright's driver never finishes
stopping; so the browser runs here, in a plain process that reads one JSON command a line on stdin and answers one
JSON line on stdout. The test process serves the platform meanwhile: its reads of this pipe are green.

A command opens a page in a fresh browser context (so nothing of an earlier sign-in survives), signs in through the
page's own form, waits until the page says it is ready, may click, and reads back every ``data-figure`` with the
``data-*`` of the row or card it belongs to, the page's visible text, and takes a screenshot; and every URL the page asked for."""

import json
import sys

from playwright.sync_api import Error, sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORTS = {
    "desktop": {"viewport": {"width": 1366, "height": 900}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}
TIMEOUT_MS = 30_000

READ_FIGURES = """() => Array.from(document.querySelectorAll('[data-figure]')).map(node => {
  const owner = node.parentElement.closest('[data-order],[data-producer],[data-region],[data-quota],[data-lot],[data-line]');
  return {figure: node.dataset.figure, text: node.textContent.trim(), owner: owner ? Object.assign({}, owner.dataset) : {}};
})"""
READ_OWNERS = """() => Array.from(document.querySelectorAll('[data-order],[data-producer],[data-region],[data-quota],[data-lot],[data-line],[data-shipment],[data-document]'))
  .map(node => Object.assign({}, node.dataset))"""


def _read(page, command: dict) -> dict:
    if command.get("screenshot"):
        page.screenshot(path=command["screenshot"], full_page=True)
    return {
        "figures": page.evaluate(READ_FIGURES),
        "owners": page.evaluate(READ_OWNERS),
        "text": page.inner_text("body"),
        "horizontal_overflow": page.evaluate(
            "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
        ),
    }


def run(browser, command: dict, kept: dict) -> dict:
    """``keep`` leaves the page open under that name; a later command naming it (``page``) waits on it again for
    ``ready``, without reloading, then reads it and closes it."""
    if command.get("page"):
        context, page = kept.pop(command["page"])
        try:
            page.wait_for_function(command["ready"], timeout=command.get("timeout_ms", TIMEOUT_MS))
            return _read(page, command)
        finally:
            context.close()
    context = browser.new_context(**VIEWPORTS[command.get("viewport", "desktop")])
    keep = False
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        requested = []
        page.on("request", lambda request: requested.append(request.url))
        page.goto(command["url"])
        if command.get("username"):
            page.get_by_label("Username").fill(command["username"])
            page.get_by_label("Password").fill(command["password"])
            page.get_by_role("button", name="Sign in").click()
        page.wait_for_function(command["ready"])
        for label, value in command.get("fill", {}).items():
            page.get_by_label(label).fill(value)
        if command.get("click"):
            page.locator(command["click"]).click()
            page.wait_for_function(command["after_click"])
        answer = {**_read(page, command), "requested": requested}
        if command.get("keep"):
            kept[command["keep"]] = (context, page)
            keep = True
        return answer
    finally:
        if not keep:
            context.close()


def main() -> int:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        print(json.dumps({"ready": browser.version}), flush=True)
        kept = {}
        for line in sys.stdin:
            try:
                answer = run(browser, json.loads(line), kept)
            except Error as error:
                answer = {"error": str(error)}
            print(json.dumps(answer), flush=True)
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
