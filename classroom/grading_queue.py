"""The grading queue in Redis: students take turns, and leases say which runs are alive.

Submissions at a deadline come in bursts, a few students submitting many times. The
queue keeps one list of run ids per student (per assignment) and a rotation of the
students who have something queued: :meth:`GradingQueue.pop` takes the first run of
the student at the front and sends that student to the back, so one student's ten
submissions do not hold up everyone else's first. A student's newer submission
withdraws their older queued one (``classroom.grading``).

A run being graded holds a lease (a key with a short expiry) that its job renews
every second; a run whose lease is gone was being graded by a worker that died.
"""

from __future__ import annotations

from typing import Any

_ENQUEUE = """
if redis.call('SADD', KEYS[4], ARGV[1]) == 0 then return 0 end
redis.call('RPUSH', KEYS[3], ARGV[1])
if redis.call('SADD', KEYS[2], ARGV[2]) == 1 then
  redis.call('RPUSH', KEYS[1], ARGV[2])
end
return 1
"""

_POP = """
while true do
  local student = redis.call('LPOP', KEYS[1])
  if not student then return false end
  local queue = ARGV[1] .. student
  local run = redis.call('LPOP', queue)
  if redis.call('LLEN', queue) > 0 then
    redis.call('RPUSH', KEYS[1], student)
  else
    redis.call('SREM', KEYS[2], student)
  end
  if run then
    redis.call('SREM', KEYS[3], run)
    return run
  end
end
"""

_WITHDRAW = """
redis.call('LREM', KEYS[1], 0, ARGV[1])
redis.call('SREM', KEYS[2], ARGV[1])
return 1
"""


class GradingQueue:
    def __init__(self, redis: Any, prefix: str) -> None:
        self.redis = redis
        self.prefix = f"{prefix}:grading"
        self._enqueue = redis.register_script(_ENQUEUE)
        self._pop = redis.register_script(_POP)
        self._withdraw = redis.register_script(_WITHDRAW)

    @property
    def _rotation(self) -> str:
        return f"{self.prefix}:rotation"

    @property
    def _waiting(self) -> str:
        return f"{self.prefix}:waiting"

    def _queue(self, student: str) -> str:
        return f"{self.prefix}:q:{student}"

    @property
    def _in_line(self) -> str:
        return f"{self.prefix}:in-line"

    def enqueue(self, run_id: int, student: str) -> None:
        """Put a run in its student's line (once: a run already in line stays where it is)."""
        self._enqueue(
            keys=[self._rotation, self._waiting, self._queue(student), self._in_line],
            args=[run_id, student],
        )

    def withdraw(self, run_id: int, student: str) -> None:
        """Take a run out of the queue (a newer submission replaced it)."""
        self._withdraw(keys=[self._queue(student), self._in_line], args=[run_id])

    def pop(self) -> int | None:
        """The next run to grade, students taking turns; None when nothing waits."""
        run = self._pop(
            keys=[self._rotation, self._waiting, self._in_line], args=[f"{self.prefix}:q:"]
        )
        return int(run) if run is not None else None

    def in_line(self, run_ids: list[int]) -> set[int]:
        """Which of ``run_ids`` are waiting in the queue."""
        if not run_ids:
            return set()
        flags = self.redis.smismember(self._in_line, run_ids)
        return {run_id for run_id, flag in zip(run_ids, flags, strict=True) if flag}

    def waiting(self) -> int:
        students = self.redis.smembers(self._waiting)
        return sum(
            self.redis.llen(self._queue(s.decode() if isinstance(s, bytes) else s))
            for s in students
        )

    def _lease(self, run_id: int) -> str:
        return f"{self.prefix}:lease:{run_id}"

    def lease(self, run_id: int, worker: str, seconds: int) -> None:
        self.redis.set(self._lease(run_id), worker, ex=seconds)

    def lease_end(self, run_id: int) -> None:
        self.redis.delete(self._lease(run_id))

    def leased(self, run_ids: list[int]) -> set[int]:
        """Which of ``run_ids`` still have a live lease."""
        if not run_ids:
            return set()
        values = self.redis.mget([self._lease(run_id) for run_id in run_ids])
        return {run_id for run_id, value in zip(run_ids, values, strict=True) if value is not None}
