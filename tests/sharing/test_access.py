"""``sharing.access`` itself: the Access each person gets, and what a refusal says.

test_access_matrix.py tries every action through the pages and the API; this file
asks the module directly for the rest of its answer, which those interfaces pass on:
the role (the API's ``role``), whether the code is shown (``show_code``: a view link's
readers see outputs only) and the words of a refusal. It also covers the cases the
matrix has no row for: a link to a visible notebook, a collaborator of another
notebook, a removal from another notebook. Written against the survivors of mutation
testing (docs/testing.md, "Mutation testing").
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from notebooks import services as notebook_services
from sharing import services as sharing_services
from sharing.access import (
    NO_ACCESS,
    Access,
    Action,
    ActionDenied,
    NotebookNotFound,
    access_require,
    notebook_access,
    trash_access_require,
)
from sharing.models import Role
from tests.factories import collaborator_make, link_make, notebook_make, user_make

pytestmark = pytest.mark.django_db

READ, HISTORY, WRITE, DELETE, FORK = (
    Action.READ, Action.HISTORY, Action.WRITE, Action.DELETE, Action.FORK,
)
EDITOR = frozenset({READ, HISTORY, WRITE, FORK})


def test_the_owner_may_do_everything_and_only_delete_from_the_trash():
    owner = user_make()
    notebook = notebook_make(owner)

    assert notebook_access(user=owner, notebook=notebook) == Access(frozenset(Action), "owner")
    notebook_services.notebook_trash(notebook=notebook)
    assert notebook_access(user=owner, notebook=notebook) == Access(frozenset({DELETE}), "owner")


def test_a_collaborator_edits_and_sees_the_code_even_through_a_view_link():
    notebook = notebook_make(user_make())
    collaborator = user_make()
    collaborator_make(notebook, collaborator)
    view = link_make(notebook, role=Role.VIEW, show_code=False)

    expected = Access(EDITOR, "collaborator", show_code=True)
    assert notebook_access(user=collaborator, notebook=notebook) == expected
    assert notebook_access(user=collaborator, notebook=notebook, link=view) == expected


def test_a_collaborator_of_another_notebook_gets_nothing_here():
    owner, collaborator = user_make(), user_make()
    collaborator_make(notebook_make(owner), collaborator)

    assert notebook_access(user=collaborator, notebook=notebook_make(owner)) == NO_ACCESS


@pytest.mark.parametrize(
    ("role", "show_code", "signed_in", "expected"),
    [
        (Role.VIEW, False, True, Access(frozenset({READ}), "link:view", show_code=False)),
        (Role.VIEW, True, False, Access(frozenset({READ}), "link:view", show_code=True)),
        (Role.FORK, False, True, Access(frozenset({READ, FORK}), "link:fork", show_code=True)),
        (Role.EDIT, False, True, Access(frozenset({READ, WRITE, FORK}), "link:edit")),
        (Role.EDIT, False, False, Access(frozenset({READ, FORK}), "link:edit")),
    ],
)
def test_a_link_holder_gets_the_links_role(role, show_code, signed_in, expected):
    notebook = notebook_make(user_make())
    link = link_make(notebook, role=role, show_code=show_code)
    user = user_make() if signed_in else AnonymousUser()

    assert notebook_access(user=user, notebook=notebook, link=link) == expected


def test_anyone_may_read_and_fork_a_visible_notebook_and_sees_its_code():
    notebook = notebook_make(user_make(), visibility="unlisted")

    assert notebook_access(user=user_make(), notebook=notebook) == Access(
        frozenset({READ, FORK}), "visitor", show_code=True
    )


def test_a_view_link_to_a_visible_notebook_takes_away_neither_fork_nor_code():
    notebook = notebook_make(user_make(), visibility="public")
    view = link_make(notebook, role=Role.VIEW, show_code=False)

    assert notebook_access(user=user_make(), notebook=notebook, link=view) == Access(
        frozenset({READ, FORK}), "link:view", show_code=True
    )


def test_a_removed_collaborator_keeps_reading_through_an_old_edit_link_but_not_writing():
    notebook = notebook_make(user_make())
    collaborator = user_make()
    link = collaborator_make(notebook, collaborator)
    sharing_services.collaborator_remove(notebook=notebook, user_id=collaborator.pk)

    assert notebook_access(user=collaborator, notebook=notebook, link=link) == Access(
        frozenset({READ, FORK}), "link:edit"
    )
    with pytest.raises(ActionDenied) as refused:
        access_require(user=collaborator, notebook=notebook, action=WRITE, link=link)
    assert str(refused.value) == (
        "The notebook's owner removed you from its editors, so this link no longer lets you "
        "edit; you can still view it. Ask the owner for a new link."
    )


def test_a_removal_from_another_notebook_or_of_another_person_changes_nothing_here():
    owner, collaborator, other = user_make(), user_make(), user_make()
    notebook, elsewhere = notebook_make(owner), notebook_make(owner)
    link = link_make(notebook, role=Role.EDIT)
    # Both removals come after the link was made, as the removal that counts would.
    collaborator_make(elsewhere, collaborator)
    sharing_services.collaborator_remove(notebook=elsewhere, user_id=collaborator.pk)
    collaborator_make(notebook, other)
    sharing_services.collaborator_remove(notebook=notebook, user_id=other.pk)

    assert WRITE in notebook_access(user=collaborator, notebook=notebook, link=link).actions


# -- refusals --------------------------------------------------------------------------


def test_an_anonymous_edit_link_holder_is_asked_to_sign_in():
    notebook = notebook_make(user_make())
    link = link_make(notebook, role=Role.EDIT)

    with pytest.raises(ActionDenied) as refused:
        access_require(user=AnonymousUser(), notebook=notebook, action=WRITE, link=link)
    assert str(refused.value) == "Sign in to edit this notebook; anyone with this link can view it."


@pytest.mark.parametrize(
    ("role", "action", "message"),
    [
        (Role.VIEW, WRITE, "You can view this notebook but not change it. Fork it to make your "
                           "own copy."),
        (Role.EDIT, HISTORY, "Only the people who edit this notebook can see its earlier "
                             "revisions."),
    ],
)
def test_a_refusal_says_what_this_person_may_not_do(role, action, message):
    notebook = notebook_make(user_make())
    link = link_make(notebook, role=role)

    with pytest.raises(ActionDenied) as refused:
        access_require(user=user_make(), notebook=notebook, action=action, link=link)
    assert str(refused.value) == refused.value.message == message


def test_only_the_owner_reaches_a_notebook_in_the_trash():
    owner = user_make()
    notebook = notebook_make(owner)
    notebook_services.notebook_trash(notebook=notebook)

    trash_access_require(user=owner, notebook=notebook)
    for someone in (user_make(), AnonymousUser()):
        with pytest.raises(NotebookNotFound):
            trash_access_require(user=someone, notebook=notebook)
