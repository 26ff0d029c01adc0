"""What the classroom services refuse, with the HTTP status to answer and a message to show.

Pages show ``message``; the API answers ``{"error": message, "code": code}``.
"""

from __future__ import annotations

from notebooks.errors import NotebookError


class ClassroomError(NotebookError):
    """A classroom request refused; same shape (and API handling) as the notebooks' errors."""

    code = "classroom"


class JoinRefused(ClassroomError):
    status = 404
    code = "join_refused"


class RosterInvalid(ClassroomError):
    code = "roster_invalid"


class RoleChangeDenied(ClassroomError):
    status = 403
    code = "role_change_denied"


class AssignmentInvalid(ClassroomError):
    code = "assignment_invalid"


class NotReleased(ClassroomError):
    status = 409
    code = "not_released"


class SubmissionClosed(ClassroomError):
    status = 403
    code = "submission_closed"
