"""What the wheel proxy tells people when it cannot help, with the HTTP status to answer.

The worker shows ``message`` in the notebook cell, so each one says what happened and,
where there is something to do, what. ``retry_after`` (seconds) becomes the
``Retry-After`` header of answers that are worth retrying later.
"""


class PackageError(Exception):
    status = 500

    def __init__(self, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


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


class TooManyFetches(PackageError):
    """This client has made the server go upstream as often as it may for now."""

    status = 429


class UpstreamFailed(PackageError):
    """The upstream index was unreachable, failed, or sent something we refuse to keep."""

    status = 502


class UpstreamBusy(PackageError):
    """As many requests as allowed are already waiting on upstream."""

    status = 503


class UpstreamSlow(PackageError):
    """The upstream index did not answer within the time a request may wait for it."""

    status = 504
