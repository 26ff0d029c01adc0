"""What the sharing services refuse (shaped like :mod:`notebooks.errors`)."""

from notebooks.errors import NotebookError


class RateLimited(NotebookError):
    status = 429
    code = "rate_limited"


class LinkRoleDenied(NotebookError):
    """The link opens the notebook but its role does not allow this (as ``ActionDenied``)."""

    status = 403
    code = "forbidden"


class LinkNotUsable(NotebookError):
    """A revoked or expired link, or one to a notebook in the trash."""

    status = 410
    code = "link_inactive"
