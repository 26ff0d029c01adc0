"""The storage quota at its edge: a save that fills it exactly is accepted, one byte more is not.

``STORAGE_PER_USER_BYTES`` bounds the bytes of every revision an account owns
(``notebooks.services._storage_reserve``). Both paths are checked: an account that has
saved before (its usage row exists) and an account's very first save (the row is made).
"""

from __future__ import annotations

import pytest
from pytest_django import Settings

from notebooks import services
from notebooks.errors import QuotaExceeded
from notebooks.models import Notebook, StorageUsage
from tests.django_fixtures import Bucket
from tests.factories import client_for, code, notebook_make, notebook_text, post_json, user_make

pytestmark = pytest.mark.django_db


def _usage(user_id: int) -> int:
    return StorageUsage.objects.get(user_id=user_id).bytes_used


def _next_text() -> str:
    return notebook_text(code("data = '" + "x" * 500 + "'", "a"))


@pytest.mark.parametrize("slack", [0, 1])
def test_a_save_up_to_the_quota_is_accepted(
    settings: Settings, bucket: Bucket, slack: int
) -> None:
    """``slack`` 0: the save brings the account exactly to its quota."""
    owner = user_make()
    notebook = notebook_make(owner)
    used = _usage(owner.pk)
    text = _next_text()
    settings.STORAGE_PER_USER_BYTES = used + len(text.encode()) + slack

    result = services.revision_create(
        notebook=notebook, content=text, author=owner, base_revision=1
    )

    assert result.created and result.revision.number == 2
    assert _usage(owner.pk) == settings.STORAGE_PER_USER_BYTES - slack
    assert len(bucket.keys(notebook)) == 2


def test_a_save_one_byte_over_the_quota_is_refused_and_changes_nothing(
    settings: Settings, bucket: Bucket
) -> None:
    owner = user_make()
    notebook = notebook_make(owner)
    used = _usage(owner.pk)
    text = _next_text()
    settings.STORAGE_PER_USER_BYTES = used + len(text.encode()) - 1
    keys_before = bucket.keys(notebook)

    with pytest.raises(QuotaExceeded) as refused:
        services.revision_create(notebook=notebook, content=text, author=owner, base_revision=1)

    assert refused.value.status == 403
    assert _usage(owner.pk) == used
    assert bucket.keys(notebook) == keys_before
    notebook.refresh_from_db()
    assert notebook.current_revision.number == 1


def test_an_accounts_first_save_may_fill_the_quota_exactly(settings: Settings) -> None:
    owner = user_make()
    text = _next_text()
    settings.STORAGE_PER_USER_BYTES = len(text.encode())
    assert not StorageUsage.objects.filter(user=owner).exists()

    notebook = services.notebook_create(owner=owner, title="Full", content=text)

    assert notebook.current_revision.number == 1
    assert _usage(owner.pk) == len(text.encode())


def test_an_accounts_first_save_one_byte_over_is_refused(settings: Settings) -> None:
    owner = user_make()
    text = _next_text()
    settings.STORAGE_PER_USER_BYTES = len(text.encode()) - 1

    with pytest.raises(QuotaExceeded):
        services.notebook_create(owner=owner, title="Too big", content=text)

    assert not Notebook.objects.filter(owner=owner).exists()
    assert StorageUsage.objects.filter(user=owner, bytes_used__gt=0).count() == 0


def test_the_api_answers_403_quota_one_byte_over_and_201_at_the_quota(
    settings: Settings,
) -> None:
    owner = user_make()
    notebook = notebook_make(owner)
    client = client_for(owner)
    text = _next_text()
    at_quota = _usage(owner.pk) + len(text.encode())
    path = f"/api/notebooks/{notebook.public_id}/revisions"

    settings.STORAGE_PER_USER_BYTES = at_quota - 1
    over = post_json(client, path, {"content": text, "base_revision": 1})
    settings.STORAGE_PER_USER_BYTES = at_quota
    fits = post_json(client, path, {"content": text, "base_revision": 1})

    assert over.status_code == 403, over.content
    assert over.json()["code"] == "quota"
    assert fits.status_code == 201, fits.content
    assert _usage(owner.pk) == at_quota


def test_the_refusal_names_the_quota_in_whole_megabytes_and_what_to_do(
    settings: Settings,
) -> None:
    owner = user_make()
    notebook = notebook_make(owner)
    settings.STORAGE_PER_USER_BYTES = 2_000_000  # said as "2 MB", not "2.0 MB"
    StorageUsage.objects.filter(user_id=owner.pk).update(bytes_used=2_000_000)

    with pytest.raises(QuotaExceeded) as refused:
        services.revision_create(notebook=notebook, content=_next_text(), author=owner, base_revision=1)

    assert refused.value.message == (
        "This save would take the notebooks' owner past their storage of 2 MB (every revision "
        "counts). Delete old notebooks and empty the trash to make room."
    )
    assert refused.value.detail == {"limit": 2_000_000}
