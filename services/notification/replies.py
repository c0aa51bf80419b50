"""The answers to a producer's SMS reply: what the aggregation service took, or why it refused. Plain Python."""

from collections.abc import Mapping

from services.notification import sms
from services.notification.domain import ACCEPTED, DECLINED, Quota

ACKNOWLEDGEMENTS = {sms.ACCEPT: "quota_accepted_ack", sms.DECLINE: "quota_declined_ack", sms.READY: "lot_received_ack"}


def normalise_mobile(number: str) -> str:
    """``+675 7000-0101``, ``0067570000101`` and ``67570000101`` are one number: an SMS provider may send any."""
    digits = "".join(char for char in number if char.isdigit())
    return "+" + (digits[2:] if digits.startswith("00") else digits)


def refusal_reply(error_type: str, asked: int | None, quota: Quota, product: str) -> tuple[str, dict]:
    """The answer to a reply the aggregation service refused, and its values: the code is unknown to it, the number
    does not fit the quota (or the top-up it has pending), or the quota's state does not allow the answer (answered
    already, expired, not accepted yet)."""
    if error_type == "NotFound":
        return "sms_error_bad_ref", {}
    if error_type == "InvalidInput" and asked is not None:
        if quota.top_up is not None:
            return "sms_reply_top_up_refused", {
                "asked": asked,
                "ref": quota.ref,
                "more": quota.top_up.units,
                "product": product,
            }
        return "sms_reply_quantity_refused", {
            "asked": asked,
            "ref": quota.ref,
            "quantity": quota.quantity,
            "product": product,
        }
    return "sms_reply_closed", {"ref": quota.ref}


def acknowledgement(action: str, asked: int | None, quota: Quota, answered: Mapping, product: str) -> tuple[str, dict]:
    """The answer to a reply the aggregation service took, and its values. ``answered`` is the quota as it returned
    it. YES on a quota already taken on (or with a top-up pending) answers the top-up: what it added is the new
    total less what the top-up was asked on; when it added nothing (the top-up had lapsed) she is told what she
    has. NO that leaves the quota anything but declined (accepted, or further on with its lots) declined a top-up:
    she is told what she keeps, not that the work is gone."""
    values = {"ref": quota.ref, "product": product}
    if action == sms.ACCEPT and (quota.top_up is not None or quota.status == ACCEPTED):
        base = quota.top_up.base if quota.top_up is not None else quota.quantity
        added = answered["quantity"] - base
        if added > 0:
            return "quota_top_up_accepted_ack", {**values, "more": added, "total": answered["quantity"]}
        return "quota_accepted_ack", {**values, "quantity": answered["quantity"]}
    if action == sms.DECLINE and answered["status"] != DECLINED:
        return "quota_top_up_declined_ack", {**values, "quantity": answered["quantity"]}
    units = asked if asked is not None else quota.quantity
    return ACKNOWLEDGEMENTS[action], {**values, "quantity": units}
