"""The contract lifecycle as a state machine (display statuses and the actions between them).

    DRAFT --send--> REDLINING --mark--> SIGN --all signed--> EXECUTED
      |                ^  |               |
      +-----mark-------+--+---unmark------+
    any open state --void--> VOIDED;  --hold--> ON_HOLD --resume--> previous state

An action not allowed in the current state is refused: 409 when the contract is finished
(EXECUTED, VOIDED), 402 (the vendor's workflow-state error) when the step is out of order.
"""

from __future__ import annotations

from dataclasses import dataclass

from mockserver.errors import ApiProblem

DRAFT, REDLINING, SIGN, EXECUTED, ON_HOLD, VOIDED = (
    "DRAFT",
    "REDLINING",
    "SIGN",
    "EXECUTED",
    "ON_HOLD",
    "VOIDED",
)
FINISHED = frozenset({EXECUTED, VOIDED})


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str | None  # None: the target is decided by the caller (resume, sign)
    activity: str


TRANSITIONS = {
    t.action: t
    for t in (
        Transition(
            "send", frozenset({DRAFT, REDLINING}), REDLINING, "CONTRACT_SENT_TO_COUNTERPARTY"
        ),
        Transition(
            "mark_for_execution", frozenset({DRAFT, REDLINING}), SIGN, "CONTRACT_MARK_FOR_EXECUTION"
        ),
        Transition(
            "unmark_for_execution", frozenset({SIGN}), REDLINING, "CONTRACT_UNMARK_FOR_EXECUTION"
        ),
        Transition("sign", frozenset({SIGN}), None, "CONTRACT_SIGNED"),
        Transition("decline", frozenset({SIGN}), REDLINING, "CONTRACT_SIGNATURE_DECLINED"),
        Transition("void", frozenset({DRAFT, REDLINING, SIGN, ON_HOLD}), VOIDED, "CONTRACT_VOIDED"),
        Transition("hold", frozenset({DRAFT, REDLINING, SIGN}), ON_HOLD, "CONTRACT_DATA_UPDATED"),
        Transition("resume", frozenset({ON_HOLD}), None, "CONTRACT_DATA_UPDATED"),
    )
}


def check(action: str, status: str, composite_id: str) -> Transition:
    """The transition for `action` from `status`, or the vendor's error naming the state."""
    transition = TRANSITIONS[action]
    if status in transition.sources:
        return transition
    allowed = ", ".join(sorted(transition.sources))
    detail = (
        f"Contract {composite_id} is {status}; '{action.replace('_', ' ')}' "
        f"is only possible from {allowed}."
    )
    if status in FINISHED:
        raise ApiProblem(409, detail, "invalid_state", stage="lifecycle")
    raise ApiProblem(402, detail, "workflow_state", stage="lifecycle")


def editable(status: str, composite_id: str) -> None:
    """Data of a finished contract cannot change."""
    if status in FINISHED:
        raise ApiProblem(
            409,
            f"Contract {composite_id} is {status} and can no longer be updated.",
            "invalid_state",
            stage="lifecycle",
        )
