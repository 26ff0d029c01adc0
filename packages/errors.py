"""What the wheel proxy tells people when it cannot help, with the HTTP status to answer.

The worker shows ``message`` in the notebook cell, so each one says what happened and,
where there is something to do, what.
"""


class PackageError(Exception):
    status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidName(PackageError):
    status = 400


class ProjectNotFound(PackageError):
    status = 404


class NoPurePythonWheel(PackageError):
    status = 404


class WheelNotFound(PackageError):
    status = 404


class WheelTooLarge(PackageError):
    status = 413


class UpstreamFailed(PackageError):
    """The upstream index was unreachable, failed, or sent something we refuse to keep."""

    status = 502
