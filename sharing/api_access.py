"""How every API route that names a notebook or a share link asks ``sharing.access`` first.

A route that works on a notebook is written as a function of the notebook, not of
its id, and declares the action it needs::

    @router.patch("/{urlsafe:public_id}", ...)
    @notebook_route(Action.WRITE)
    def notebook_update(request, notebook, body): ...

``notebook_route`` gives django-ninja a view taking ``public_id`` instead, which
looks the notebook up and asks ``access_require`` before the function runs: a
route cannot reach a notebook without the check, whatever its body holds.
``link_route`` does the same for ``/shared/{token}`` routes (the link must be
usable, then the access it gives must allow the action).

django-ninja validates the body before any view runs. So that an invalid body
cannot tell a stranger more than "not found", the route's check is remembered on
the request and ``access_check_before_validation_error`` (called by the API's
validation error handler) runs it first: someone who may not do the action gets
the 404 or 403 they would get with a valid body.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, get_type_hints

from django.http import HttpRequest
from ninja.decorators import decorate_view

from notebooks import selectors
from notebooks.models import Notebook
from sharing import selectors as sharing_selectors
from sharing.access import Access, Action, NotebookNotFound, access_require
from sharing.models import ShareLink
from sharing.services import link_usable_check

View = TypeVar("View", bound=Callable[..., Any])
_REQUEST_ATTRIBUTE = "playground_route_access"


def notebook_for_action(request: HttpRequest, public_id: str, action: Action) -> Notebook:
    """The notebook if the caller may do ``action`` (else NotebookNotFound or ActionDenied)."""
    notebook = selectors.notebook_get(public_id=public_id)
    if notebook is None:
        raise NotebookNotFound()
    access_require(user=request.user, notebook=notebook, action=action)
    return notebook


def link_for_action(request: HttpRequest, token: str, action: Action) -> tuple[ShareLink, Access]:
    """The usable share link and what it gives the caller, if that allows ``action``."""
    link = sharing_selectors.share_link_get(token=token)
    if link is None:
        raise NotebookNotFound()
    link_usable_check(link=link)
    access = access_require(user=request.user, notebook=link.notebook, action=action, link=link)
    return link, access


@dataclass(frozen=True)
class RouteAccess:
    """What a route needs: ``action`` on the notebook named by ``public_id`` or by ``token``."""

    action: Action
    by: str  # "public_id" or "token"

    def check(self, request: HttpRequest, path: dict[str, Any]) -> Any:
        if self.by == "token":
            return link_for_action(request, path["token"], self.action)
        return notebook_for_action(request, path["public_id"], self.action)


def _remembered(access: RouteAccess) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Wraps the operation's ``run``: the request carries its route's check from the start."""

    def decorate(run: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(run)
        def remembered(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            setattr(request, _REQUEST_ATTRIBUTE, (access, kwargs))
            return run(request, *args, **kwargs)

        return remembered

    return decorate


def _route(access: RouteAccess, first: str) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        hints = get_type_hints(view)
        request_param, target, *rest = inspect.signature(view).parameters.values()
        if target.name != first:
            raise TypeError(f"{view.__name__} must take `{first}` after `request`")
        path_param = inspect.Parameter(
            access.by, inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=str
        )
        # django-ninja reads this signature: the id from the path, then the view's own
        # parameters, with their annotations resolved in the view's module.
        signature = inspect.Signature(
            [
                request_param.replace(annotation=HttpRequest),
                path_param,
                *(p.replace(annotation=hints.get(p.name, p.annotation)) for p in rest),
            ]
        )

        @functools.wraps(view)
        def route(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            bound = signature.bind(request, *args, **kwargs)
            key = bound.arguments.pop(access.by)
            bound.arguments.pop(request_param.name)
            return view(request, access.check(request, {access.by: key}), **bound.arguments)

        # A function takes new attributes (django-ninja reads __signature__), and the
        # wrapped route stands in for `view`, whose type the decorator promises to keep.
        route.__signature__ = signature  # type: ignore[attr-defined]
        route.route_access = access  # type: ignore[attr-defined]
        return decorate_view(_remembered(access))(route)  # type: ignore[return-value]

    return decorate


def notebook_route(action: Action) -> Callable[[View], View]:
    """The view gets the notebook of ``{public_id}`` once the caller may do ``action``."""
    return _route(RouteAccess(action=action, by="public_id"), "notebook")


def link_route(action: Action) -> Callable[[View], View]:
    """The view gets ``(link, access)`` for ``{token}`` once the link allows ``action``."""
    return _route(RouteAccess(action=action, by="token"), "shared")


def access_check_before_validation_error(request: HttpRequest) -> None:
    """Run the route's access check (raising its refusal) for a request whose body failed."""
    remembered = getattr(request, _REQUEST_ATTRIBUTE, None)
    if remembered is not None:
        access, path = remembered
        access.check(request, path)
