"""The aggregation service's quota commands as the SMS replies need them (``inbound.QuotaDesk``), over RPC."""

from nameko.exceptions import RemoteError

from services.notification.inbound import ActionRefused, ActionsUnavailable
from shared.messaging import NoAnswer, ask


class AggregationDesk:
    """Each command is bounded by a deadline: an RPC without one waits forever."""

    def __init__(self, proxy, timeout_s: float):
        self.proxy = proxy
        self.timeout_s = timeout_s

    def accept(self, quota_id: str, quantity: int | None) -> dict:
        return self._call("accept_quota", quota_id, {"quantity": quantity})

    def decline(self, quota_id: str, reason: str) -> dict:
        return self._call("decline_quota", quota_id, {"reason": reason})

    def report(self, quota_id: str, quantity: int, client_ref: str) -> dict:
        return self._call("report_lot", quota_id, {"quantity": quantity, "client_ref": client_ref})

    def _call(self, method: str, *args) -> dict:
        try:
            return ask(self.proxy, method, *args, timeout_s=self.timeout_s)
        except NoAnswer as silence:
            raise ActionsUnavailable(str(silence)) from None
        except RemoteError as error:
            if error.exc_type in ("InvalidInput", "NotFound", "Conflict"):
                raise ActionRefused(error.exc_type, error.value) from None
            raise
