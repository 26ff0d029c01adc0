"""What the sharing services refuse (shaped like :mod:`notebooks.errors`)."""

from notebooks.errors import NotebookError


class RateLimited(NotebookError):
    status = 429
    code = "rate_limited"


class LinkNotUsable(NotebookError):
    """A revoked or expired link, or one to a notebook in the trash."""

    status = 410
    code = "link_inactive"
