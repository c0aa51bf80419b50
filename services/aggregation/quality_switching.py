"""ISO 2859-1:1999 clause 9: switching between normal, tightened and reduced inspection, and discontinuation.

The switching rules run per producer and offering as a fold over lots: ``record(state, lot, ...)`` returns the next
state and never changes the one it was given, so a service can store every state it passed through, replay a
history, or show why the severity changed. Plain Python.
"""

from dataclasses import dataclass

from services.aggregation.sampling_tables import NORMAL, REDUCED, SEVERITIES, TIGHTENED

DISCONTINUED = "discontinued"


@dataclass(frozen=True)
class LotResult:
    """What the switching rules need from a lot's original inspection (a resubmitted lot is not recorded again)."""

    lot_id: str
    severity: str
    accepted: bool
    switching_points: int = 0

    def __post_init__(self):
        if not self.lot_id:
            raise ValueError("a lot needs its id to be recorded")
        if self.severity not in SEVERITIES:
            raise ValueError(f"a lot is inspected on one of {', '.join(SEVERITIES)}, not {self.severity!r}")
        if self.switching_points not in (0, 2, 3):
            raise ValueError(f"a lot adds 0, 2 or 3 to the switching score, not {self.switching_points}")
        if self.switching_points and not self.accepted:
            raise ValueError("a lot that was not accepted resets the switching score: it earns no points")


@dataclass(frozen=True)
class SwitchRecord:
    """One line of a producer's inspection history; ``reason`` says why the severity changed, empty if it did not."""

    lot_id: str
    accepted: bool
    severity_before: str
    severity_after: str
    switching_score: int
    reason: str


@dataclass(frozen=True)
class SwitchingState:
    """Where one producer's offering stands. Counters belong to the current severity and restart when it changes."""

    severity: str = NORMAL
    switching_score: int = 0
    recent_on_normal: tuple = ()
    accepted_in_a_row_on_tightened: int = 0
    not_accepted_on_tightened: int = 0
    history: tuple = ()

    def __post_init__(self):
        if self.severity not in SEVERITIES + (DISCONTINUED,):
            raise ValueError(f"unknown severity {self.severity!r}")

    def _switched(self, lot: LotResult, severity: str, reason: str, score: int = 0) -> "SwitchingState":
        """The record keeps the score the lot reached; the new severity starts its counters, and the score, at 0."""
        return SwitchingState(
            severity,
            history=self.history + (SwitchRecord(lot.lot_id, lot.accepted, self.severity, severity, score, reason),),
        )

    def _stayed(self, lot: LotResult, **counters) -> "SwitchingState":
        score = counters.get("switching_score", 0)
        return SwitchingState(
            self.severity,
            **counters,
            history=self.history + (SwitchRecord(lot.lot_id, lot.accepted, self.severity, self.severity, score, ""),),
        )


def record(state: SwitchingState, lot: LotResult, *, production_steady: bool, reduced_approved: bool) -> SwitchingState:
    """The state after one more lot. ``reduced_approved`` is the responsible authority's word that reduced inspection
    is desirable; withdrawing it on reduced inspection is the "other conditions" that reinstate normal inspection."""
    if state.severity == DISCONTINUED:
        raise ValueError(
            "inspection is discontinued: the producer must improve quality and the responsible "
            "authority resume it, on tightened inspection, before another lot is recorded"
        )
    if lot.severity != state.severity:
        raise ValueError(
            f"lot {lot.lot_id} was inspected on {lot.severity} inspection but {state.severity} inspection is in effect"
        )
    if any(line.lot_id == lot.lot_id for line in state.history):
        raise ValueError(f"lot {lot.lot_id} is already recorded; only original inspections count")
    if state.severity == NORMAL:
        return _on_normal(state, lot, production_steady and reduced_approved)
    if state.severity == TIGHTENED:
        return _on_tightened(state, lot)
    return _on_reduced(state, lot, production_steady, reduced_approved)


def resume(state: SwitchingState) -> SwitchingState:
    """Clause 9.4: after the producer's corrective action, inspection starts again on tightened inspection."""
    if state.severity != DISCONTINUED:
        raise ValueError(f"only discontinued inspection is resumed; this one is {state.severity}")
    return SwitchingState(TIGHTENED, history=state.history)


def _on_normal(state: SwitchingState, lot: LotResult, reduced_allowed: bool) -> SwitchingState:
    recent = (state.recent_on_normal + (lot.accepted,))[-5:]
    if recent.count(False) >= 2:
        return state._switched(lot, TIGHTENED, "2 of the last 5 or fewer lots on normal inspection not accepted")
    score = state.switching_score + lot.switching_points if lot.switching_points else 0
    if score >= 30 and reduced_allowed:
        return state._switched(
            lot,
            REDUCED,
            f"switching score {score}, production steady, reduced inspection approved by the responsible authority",
            score,
        )
    return state._stayed(lot, switching_score=score, recent_on_normal=recent)


def _on_tightened(state: SwitchingState, lot: LotResult) -> SwitchingState:
    if lot.accepted:
        in_a_row = state.accepted_in_a_row_on_tightened + 1
        if in_a_row == 5:
            return state._switched(lot, NORMAL, "5 lots in a row accepted on tightened inspection")
        return state._stayed(
            lot, accepted_in_a_row_on_tightened=in_a_row, not_accepted_on_tightened=state.not_accepted_on_tightened
        )
    not_accepted = state.not_accepted_on_tightened + 1
    if not_accepted == 5:
        return state._switched(lot, DISCONTINUED, "5 lots not accepted on tightened inspection")
    return state._stayed(lot, not_accepted_on_tightened=not_accepted)


def _on_reduced(
    state: SwitchingState, lot: LotResult, production_steady: bool, reduced_approved: bool
) -> SwitchingState:
    if not lot.accepted:
        return state._switched(lot, NORMAL, "a lot not accepted on reduced inspection")
    if not production_steady:
        return state._switched(lot, NORMAL, "production irregular or delayed")
    if not reduced_approved:
        return state._switched(lot, NORMAL, "the responsible authority reinstated normal inspection")
    return state._stayed(lot)
