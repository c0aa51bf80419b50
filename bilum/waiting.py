"""Waiting for the platform to settle, as its clients do: facts travel as events, so what one asks for appears a
little later."""

import time

from bilum.demo_http import DemoFailed

TERMINAL_WAIT_S = 120


def eventually(check, what: str, timeout_s: float = TERMINAL_WAIT_S, interval_s: float = 0.3):
    """Poll ``check`` until it returns something true; its answer is returned."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise DemoFailed(f"timed out after {timeout_s:.0f} s waiting for {what}")
        time.sleep(interval_s)


def wait_while_moving(moved: float, what: str) -> None:
    """A pause in a loop that drives the scenario on; ``TERMINAL_WAIT_S`` since it last moved (at ``moved``) is a
    failure, not a hang."""
    if time.monotonic() - moved > TERMINAL_WAIT_S:
        raise DemoFailed(f"nothing moved for {TERMINAL_WAIT_S} s while waiting for {what}")
    time.sleep(0.3)
