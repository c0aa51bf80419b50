"""Quotas and lots: the states a producer's share of an order moves through. Plain Python."""
from dataclasses import dataclass

from shared.errors import Conflict, InvalidInput

QUOTA_OFFERED, QUOTA_ACCEPTED, QUOTA_DECLINED = "offered", "accepted", "declined"
OPEN_QUOTA_STATES = (QUOTA_OFFERED, QUOTA_ACCEPTED)
LOT_REPORTED, LOT_PASSED, LOT_FAILED = "reported", "passed", "failed"


def answer_quota(status: str, answer: str) -> bool:
    """Whether answering changes the quota; answering the same way twice is a harmless repeat."""
    target = {"accept": QUOTA_ACCEPTED, "decline": QUOTA_DECLINED}[answer]
    if status == target:
        return False
    if status != QUOTA_OFFERED:
        raise Conflict(f"the quota is already {status}")
    return True


def check_lot(quota_status: str, quota_quantity: int, reported_so_far: int, quantity: int) -> None:
    if quota_status != QUOTA_ACCEPTED:
        raise Conflict(f"lots are reported against an accepted quota; this one is {quota_status}")
    if reported_so_far + quantity > quota_quantity:
        raise InvalidInput("lot refused", {"quantity": [
            f"the quota has {quota_quantity - reported_so_far} units left to report"]})


@dataclass(frozen=True)
class Verdict:
    passed: bool
    reason: str


def inspection_verdict(lot_quantity: int, sample_size: int, defects: int, acceptance_number: int) -> Verdict:
    """Single sampling: accept the lot when the defects found in the sample do not exceed the acceptance number."""
    if sample_size > lot_quantity:
        raise InvalidInput("inspection refused", {"sample_size": [f"the lot has only {lot_quantity} units"]})
    if defects > sample_size:
        raise InvalidInput("inspection refused", {"defects": ["more defects than units sampled"]})
    if acceptance_number >= sample_size:
        raise InvalidInput("inspection refused", {"acceptance_number": ["must be below the sample size"]})
    if defects <= acceptance_number:
        return Verdict(True, f"{defects} defective of {sample_size} sampled, accept number {acceptance_number}")
    return Verdict(False, f"{defects} defective of {sample_size} sampled exceeds accept number {acceptance_number}")
