"""Acceptance sampling of producers' lots by ISO 2859-1:1999 single sampling, with its switching rules. Plain Python.

A lot's plan comes from the standard's tables (`sampling_tables`), one plan per class of defect; the lot is decided
on the defects found in each class's sample, and earns switching points for the switching rules
(`quality_switching`, whose names this module also offers so that callers need one import).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from services.aggregation.quality_switching import DISCONTINUED, LotResult, SwitchingState, SwitchRecord, record, resume
from services.aggregation.sampling_tables import (
    AQLS,
    CODE_LETTERS,
    LEVELS,
    MASTER_TABLES,
    NORMAL,
    REDUCED,
    SEVERITIES,
    TIGHTENED,
    TablePlan,
    code_letter,
    standard_aql,
    standard_level,
    standard_severity,
    table_plan,
)

__all__ = [
    "AQLS",
    "CODE_LETTERS",
    "DEFECT_CLASSES",
    "DISCONTINUED",
    "LEVELS",
    "NORMAL",
    "REDUCED",
    "SEVERITIES",
    "TIGHTENED",
    "ClassVerdict",
    "LotDecision",
    "LotResult",
    "SamplingPlan",
    "SwitchRecord",
    "SwitchingState",
    "TablePlan",
    "code_letter",
    "decide_lot",
    "inspection_plans",
    "record",
    "resume",
    "sampling_plan",
    "standard_aql",
    "switching_points",
    "table_plan",
]

DEFECT_CLASSES = ("critical", "major", "minor")


@dataclass(frozen=True)
class SamplingPlan:
    """The plan for one lot. ``sample_size`` is the lot size itself when the table asks for as many units or more."""

    lot_size: int
    aql: Decimal
    level: str
    severity: str
    code_letter: str
    plan_letter: str
    sample_size: int
    accept: int
    reject: int
    full_inspection: bool

    @property
    def table(self) -> str:
        return MASTER_TABLES[self.severity].name

    def accepts(self, defects: int) -> bool:
        return _checked_defects(defects, self.sample_size) <= self.accept


def sampling_plan(lot_size: int, aql, level: str = "II", severity: str = NORMAL) -> SamplingPlan:
    """Table 1, then the master table of the severity; a lot no larger than the sample is inspected in full."""
    severity = standard_severity(severity)
    level = standard_level(level)
    aql = standard_aql(aql)
    letter = code_letter(lot_size, level)
    plan = table_plan(letter, aql, severity)
    full = plan.sample_size >= lot_size
    return SamplingPlan(
        lot_size,
        aql,
        level,
        severity,
        letter,
        plan.plan_letter,
        lot_size if full else plan.sample_size,
        plan.accept,
        plan.reject,
        full,
    )


def inspection_plans(lot_size: int, aqls: Mapping[str, object], level: str = "II", severity: str = NORMAL) -> dict:
    """One plan per class of defect, each from its own AQL: a critical class usually has a much smaller AQL."""
    if not aqls:
        raise ValueError(f"give an AQL for at least one class of defect: {', '.join(DEFECT_CLASSES)}")
    _check_classes(aqls, "AQL")
    return {name: sampling_plan(lot_size, aql, level, severity) for name, aql in _in_class_order(aqls)}


@dataclass(frozen=True)
class ClassVerdict:
    defect_class: str
    plan: SamplingPlan
    defects: int
    accepted: bool
    switching_points: int

    @property
    def reason(self) -> str:
        verdict = f"within Ac {self.plan.accept}" if self.accepted else f"at or above Re {self.plan.reject}"
        return (
            f"{self.defect_class}: {self.defects} defective of {self.plan.sample_size} inspected, {verdict} "
            f"(AQL {self.plan.aql})"
        )


@dataclass(frozen=True)
class LotDecision:
    """The lot is accepted only if every class of defect is within its own acceptance number."""

    verdicts: tuple

    @property
    def accepted(self) -> bool:
        return all(verdict.accepted for verdict in self.verdicts)

    @property
    def severity(self) -> str:
        return self.verdicts[0].plan.severity

    @property
    def switching_points(self) -> int:
        """The lot earns its weakest class's points: the score is evidence that quality beats every AQL."""
        return min(verdict.switching_points for verdict in self.verdicts)

    @property
    def reason(self) -> str:
        return "; ".join(verdict.reason for verdict in self.verdicts)

    def lot_result(self, lot_id: str) -> "LotResult":
        return LotResult(lot_id, self.severity, self.accepted, self.switching_points)


def decide_lot(plans: Mapping[str, SamplingPlan], defects: Mapping[str, int]) -> LotDecision:
    """Accept or reject a lot from the defects found in each class's sample (nonconforming units, at most n)."""
    if not plans:
        raise ValueError("a lot is decided on at least one class of defect")
    _check_classes(plans, "plan")
    if set(defects) != set(plans):
        raise ValueError(f"defects were given for {sorted(defects)} but the lot was planned for {sorted(plans)}")
    first = next(iter(plans.values()))
    if any((plan.lot_size, plan.severity) != (first.lot_size, first.severity) for plan in plans.values()):
        raise ValueError("the plans of one lot must share its lot size and its severity")
    verdicts = []
    for name, plan in _in_class_order(plans):
        found = _checked_defects(defects[name], plan.sample_size, name)
        verdicts.append(ClassVerdict(name, plan, found, found <= plan.accept, switching_points(plan, found)))
    return LotDecision(tuple(verdicts))


def switching_points(plan: SamplingPlan, defects: int) -> int:
    """Clause 9.3.3: what one lot adds to the switching score; 0 resets it. The score runs on normal inspection only.

    With Ac >= 2 a lot earns 3 if it would also pass the AQL one step tighter, with the same sample: that column's
    acceptance number sits in the same row of Table 2-A. With Ac 0 or 1 an accepted lot earns 2.
    """
    defects = _checked_defects(defects, plan.sample_size)
    if plan.severity != NORMAL or defects > plan.accept:
        return 0
    if plan.accept < 2:
        return 2
    tighter = table_plan(plan.plan_letter, AQLS[AQLS.index(plan.aql) - 1], NORMAL)
    return 3 if defects <= tighter.accept else 0


def _checked_defects(defects: int, sample_size: int, defect_class: str = "") -> int:
    where = f"{defect_class}: " if defect_class else ""
    if isinstance(defects, bool) or not isinstance(defects, int):
        raise ValueError(f"{where}defects {defects!r} is not a whole number")
    if not 0 <= defects <= sample_size:
        raise ValueError(f"{where}{defects} defective units cannot come from a sample of {sample_size}")
    return defects


def _check_classes(by_class: Mapping, what: str) -> None:
    unknown = sorted(set(by_class) - set(DEFECT_CLASSES))
    if unknown:
        raise ValueError(f"{what} given for unknown defect classes {unknown}; known: {', '.join(DEFECT_CLASSES)}")


def _in_class_order(by_class: Mapping):
    return [(name, by_class[name]) for name in DEFECT_CLASSES if name in by_class]
