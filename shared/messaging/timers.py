"""Timers whose interval is a setting of the service, read when the service starts, not when its module is imported
(tests and ``bilum up`` set the environment after importing)."""

from collections.abc import Callable

from nameko.timer import Timer


class SettingTimer(Timer):
    """``@every(lambda: settings.load().plan_interval_s)``: a nameko timer with its interval from the settings."""

    def __init__(self, interval_of: Callable[[], float], **kwargs):
        self.interval_of = interval_of
        super().__init__(interval=0, **kwargs)

    def setup(self):
        self.interval = self.interval_of()


def every(interval_of: Callable[[], float]):
    """By keyword: nameko takes a lone callable argument for the method being decorated."""
    return SettingTimer.decorator(interval_of=interval_of)
