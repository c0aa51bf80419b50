"""Drives Debian's chromium with Playwright, in a process of its own.

The test process runs under eventlet's monkey patch (nameko needs it), where Playwright's driver never finishes
stopping; so the browser runs here, in a plain process that reads one JSON command a line on stdin and answers one
JSON line on stdout. The test process serves the platform meanwhile: its reads of this pipe are green.

A command opens a page in a fresh browser context (so nothing of an earlier sign-in survives), signs in through the
page's own form, waits until the page says it is ready, may click, and reads back every ``data-figure`` with the
``data-*`` of the row or card it belongs to, the page's visible text, and takes a screenshot; and every URL the page asked for,
with what it wrote to the console (a Content-Security-Policy violation among them) and its uncaught errors.
It may also evaluate an expression in the page (``evaluate``), run axe-core in it (``axe``: the path of axe.min.js), and
reload the page or open another address in the same context (so what the page keeps in localStorage stays).
A page may go to another address by itself (a page in another language than its reader's goes to hers): waits last
through such navigations."""

import json
import sys
import time
from pathlib import Path

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
# Every serious or critical violation of the page, with the nodes that have it.
AXE_RUN = """() => axe.run(document, {resultTypes: ['violations']}).then(result => result.violations
  .filter(v => v.impact === 'serious' || v.impact === 'critical')
  .map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(node => node.target.join(' '))})))"""
READ_OWNERS = """() => Array.from(document.querySelectorAll('[data-order],[data-producer],[data-region],[data-quota],[data-lot],[data-line],[data-shipment],[data-document]'))
  .map(node => Object.assign({}, node.dataset))"""


def _wait(page, condition: str, timeout_ms: float = TIMEOUT_MS) -> None:
    """Wait until ``condition`` holds, on whatever document the page shows by then."""
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        try:
            page.wait_for_function(condition, timeout=max(1.0, (deadline - time.monotonic()) * 1000))
            return
        except Error as error:
            if "context was destroyed" not in str(error) or time.monotonic() > deadline:
                raise
            page.wait_for_load_state()


def _checks(page, command: dict) -> dict:
    checked = {}
    if command.get("evaluate"):
        checked["evaluated"] = page.evaluate(command["evaluate"])
    if command.get("axe"):
        page.add_script_tag(content=Path(command["axe"]).read_text())
        checked["axe"] = page.evaluate(AXE_RUN)
    return checked


def _read(page, command: dict) -> dict:
    if command.get("screenshot"):
        page.screenshot(path=command["screenshot"], full_page=True)
    return {
        **_checks(page, command),
        "figures": page.evaluate(READ_FIGURES),
        "owners": page.evaluate(READ_OWNERS),
        "text": page.inner_text("body"),
        "horizontal_overflow": page.evaluate(
            "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
        ),
    }


def run(browser, command: dict, kept: dict) -> dict:
    """``keep`` leaves the page open under that name; a later command naming it (``page``) waits on it again for
    ``ready``, without reloading, then reads it and closes it (unless it says ``stay``: then it stays open)."""
    if command.get("page"):
        context, page = kept[command["page"]]
        try:
            _wait(page, command["ready"], command.get("timeout_ms", TIMEOUT_MS))
            return _read(page, command)
        finally:
            if not command.get("stay"):
                del kept[command["page"]]
                context.close()
    context = browser.new_context(**VIEWPORTS[command.get("viewport", "desktop")])
    keep = False
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        requested, console = [], []
        page.on("request", lambda request: requested.append(request.url))
        page.on("console", lambda message: console.append({"type": message.type, "text": message.text}))
        page.on("pageerror", lambda error: console.append({"type": "pageerror", "text": str(error)}))
        page.goto(command["url"])
        if command.get("username"):
            page.get_by_label("Username").fill(command["username"])
            page.get_by_label("Password").fill(command["password"])
            page.get_by_role("button", name="Sign in").click()
        _wait(page, command["ready"])
        for label, value in command.get("fill", {}).items():
            page.get_by_label(label).fill(value)
        if command.get("click"):
            page.locator(command["click"]).click()
            _wait(page, command["after_click"])
        if command.get("reload_ready"):
            page.reload()
            _wait(page, command["reload_ready"])
        if command.get("then_open"):
            page.goto(command["then_open"])
            _wait(page, command["then_ready"])
        answer = {**_read(page, command), "requested": requested, "console": console}
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
