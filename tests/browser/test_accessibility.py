"""axe-core in each page, signed in, on a desktop and a phone, in each language: no serious or critical violation.

axe-core comes from the npm registry, at the version `deploy/local/ensure-tools.sh axe-core` pins (`make test` runs
it), and is put into the page as it stands; the violations are named with their rules and nodes."""

from pathlib import Path

import pytest

from tests.browser.test_pages import BUYER_READY, DASHBOARD_READY, PRODUCER_READY

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "var" / "tools" / "axe-core" / "node_modules" / "axe-core" / "axe.min.js"
LANGUAGES = ("en", "fr", "tpi")
VIEWPORTS = ("desktop", "phone")
SIGN_IN_SHOWN = "() => document.getElementById('signin') && !document.getElementById('signin').hidden"
# The pages held to it: each is opened, signed in, switched to the language by its own switch, then checked.
CHECKED = {"producer": PRODUCER_READY, "buyer": BUYER_READY, "dashboard": DASHBOARD_READY}


@pytest.fixture(scope="module")
def axe() -> str:
    if not AXE.exists():
        pytest.fail(
            f"axe-core is not installed at {AXE}: run `bash deploy/local/ensure-tools.sh axe-core`", pytrace=False
        )
    return str(AXE)


def said(violations: list) -> str:
    return "\n".join(f"{v['impact']} {v['id']} ({v['help']}): {', '.join(v['nodes'])}" for v in violations)


def in_language(language: str, ready: str) -> str:
    return f"() => document.documentElement.lang === '{language}' && ({ready})()"


def _user(scenario, name: str) -> str:
    return {"producer": scenario.producer, "buyer": scenario.buyer, "dashboard": scenario.highlands.aggregator}[name]


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", CHECKED)
def test_a_page_has_no_serious_or_critical_violation(scenario, browser, axe, name, language, viewport):
    ready = in_language(language, CHECKED[name])
    page = browser.open(
        f"/{name}",
        _user(scenario, name),
        CHECKED[name],
        viewport=viewport,
        click=f'nav.languages a[lang="{language}"]',
        after_click=ready,
        axe=axe,
    )
    assert page["axe"] == [], f"/{name} in {language} on a {viewport}:\n{said(page['axe'])}"


def test_the_sign_in_form_has_no_serious_or_critical_violation(browser, axe):
    page = browser.open("/producer", None, SIGN_IN_SHOWN, axe=axe)
    assert page["axe"] == [], f"sign-in:\n{said(page['axe'])}"


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_an_orders_drill_down_has_no_serious_or_critical_violation(scenario, browser, axe, viewport):
    order_id = scenario.highlands.order_ids[0]
    page = browser.open(
        "/dashboard",
        scenario.highlands.aggregator,
        DASHBOARD_READY,
        viewport=viewport,
        click=f'[data-order="{order_id}"] button',
        after_click="() => !document.getElementById('drill').hidden && "
        "document.getElementById('drill-shipments').childElementCount > 0",
        axe=axe,
    )
    assert page["axe"] == [], f"the drill-down on a {viewport}:\n{said(page['axe'])}"
