"""When a student may still submit, and whether a submission is late (pure functions).

A student's due date is the assignment's, or their extension's. Under the "accept"
and "penalty" late policies submissions stay open until the late deadline, moved by
as much as the extension moved the due date; under "refuse" they close at the due
date. A submission after the due date is late by the number of started days
(one minute late is one day); "penalty" takes ``late_penalty_percent`` per day off
the score, never below zero.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from classroom.models import LatePolicy


@dataclass(frozen=True)
class Window:
    due_at: datetime
    closes_at: datetime  # after this, submissions are refused

    def days_late(self, at: datetime) -> int:
        if at <= self.due_at:
            return 0
        return math.ceil((at - self.due_at) / timedelta(days=1))

    def is_open(self, at: datetime) -> bool:
        return at <= self.closes_at


def submission_window(
    *,
    due_at: datetime,
    late_policy: str,
    late_until: datetime | None,
    extension_due_at: datetime | None,
) -> Window:
    """The window of one student (module docstring)."""
    due = extension_due_at or due_at
    if late_policy == LatePolicy.REFUSE or late_until is None:
        return Window(due_at=due, closes_at=due)
    shift = due - due_at
    return Window(due_at=due, closes_at=max(due, late_until + shift))


def late_penalty(*, score: Decimal, days_late: int, late_policy: str, percent: int) -> Decimal:
    """The score after the late penalty (only the "penalty" policy takes any)."""
    if late_policy != LatePolicy.PENALTY or days_late == 0:
        return score
    kept = max(Decimal(0), Decimal(100 - percent * days_late)) / 100
    return (score * kept).quantize(Decimal("0.01"))
