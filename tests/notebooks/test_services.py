"""Saving notebooks: immutable revisions in the real S3 bucket (moto), conflicts, limits, trash.

The bucket is read with boto3 directly, so "previous revisions are still there" and
"the refused save left nothing behind" are checked where the objects really live.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from pytest_django import Settings

from notebooks import selectors, services
from notebooks.errors import (
    InvalidNotebook,
    NotebookTooLarge,
    QuotaExceeded,
    RevisionNotFound,
    SaveConflict,
    StorageFailed,
)
from notebooks.models import Notebook, Revision, StorageUsage
from tests.django_fixtures import Bucket
from tests.factories import code, markdown, notebook_make, notebook_text, user_make

pytestmark = pytest.mark.django_db


def _usage(user_id: int) -> int:
    return StorageUsage.objects.get(user_id=user_id).bytes_used


def _save(notebook: Notebook, text: str, base: int | None = None) -> services.SaveResult:
    return services.revision_create(
        notebook=notebook, content=text, author=notebook.owner, base_revision=base
    )


def test_each_save_is_a_new_numbered_revision_that_becomes_current(bucket: Bucket) -> None:
    owner = user_make()
    notebook = notebook_make(owner, cells=[code("x = 1", "a")])
    texts = [notebook_text(code(f"x = {n}", "a")) for n in (2, 3)]

    results = [_save(notebook, text) for text in texts]

    assert [result.revision.number for result in results] == [2, 3]
    assert all(result.created for result in results)
    notebook.refresh_from_db()
    assert notebook.current_revision.number == 3
    assert selectors.revision_text(revision=notebook.current_revision) == texts[1]
    assert [r.number for r in selectors.revision_list(notebook=notebook)] == [3, 2, 1]
    assert {r.author for r in Revision.objects.filter(notebook=notebook)} == {owner}


def test_earlier_revisions_stay_readable_in_the_bucket(bucket: Bucket) -> None:
    first = notebook_text(code("x = 1", "a"))
    notebook = services.notebook_create(owner=user_make(), title="Kept", content=first)
    later = [notebook_text(code(f"x = {n}", "a")) for n in (2, 3)]
    for text in later:
        _save(notebook, text)

    revisions = {r.number: r for r in Revision.objects.filter(notebook=notebook)}
    # One object per revision, each under its own key, each with the bytes saved then.
    assert bucket.keys(notebook) == {r.storage_key for r in revisions.values()}
    for number, text in zip((1, 2, 3), [first, *later], strict=True):
        assert bucket.read(revisions[number].storage_key) == text.encode()
        assert revisions[number].size == len(text.encode())


def test_saving_the_current_text_again_stores_nothing(bucket: Bucket) -> None:
    text = notebook_text(code("x = 1", "a"))
    notebook = services.notebook_create(owner=user_make(), content=text)
    usage = _usage(notebook.owner_id)

    result = _save(notebook, text, base=1)

    assert not result.created
    assert result.revision.number == 1
    assert Revision.objects.filter(notebook=notebook).count() == 1
    assert len(bucket.keys(notebook)) == 1
    assert _usage(notebook.owner_id) == usage


def test_stale_base_revision_is_refused_naming_the_current_one(bucket: Bucket) -> None:
    notebook = notebook_make(user_make())
    _save(notebook, notebook_text(code("x = 'other tab'", "a")), base=1)
    keys_before = bucket.keys(notebook)

    with pytest.raises(SaveConflict) as refused:
        _save(notebook, notebook_text(code("x = 'this tab'", "a")), base=1)

    assert refused.value.status == 409
    assert refused.value.detail == {"current_revision": 2}
    assert "revision 2" in refused.value.message
    notebook.refresh_from_db()
    assert notebook.current_revision.number == 2
    assert bucket.keys(notebook) == keys_before


def test_conflict_found_under_the_lock_removes_the_uploaded_object(bucket: Bucket) -> None:
    """A request that loaded the notebook before another save committed still gets 409."""
    notebook = notebook_make(user_make())
    stale = Notebook.objects.select_related("current_revision").get(pk=notebook.pk)
    _save(notebook, notebook_text(code("x = 'saved first'", "a")), base=1)
    keys_before = bucket.keys(notebook)
    usage = _usage(notebook.owner_id)

    with pytest.raises(SaveConflict) as refused:
        _save(stale, notebook_text(code("x = 'saved second'", "a")), base=1)

    assert refused.value.detail == {"current_revision": 2}
    assert bucket.keys(notebook) == keys_before
    assert _usage(notebook.owner_id) == usage


def test_a_save_based_on_the_true_current_revision_is_not_refused_by_a_stale_copy() -> None:
    notebook = notebook_make(user_make())
    stale = Notebook.objects.select_related("current_revision").get(pk=notebook.pk)
    _save(notebook, notebook_text(code("x = 2", "a")))

    result = _save(stale, notebook_text(code("x = 3", "a")), base=2)

    assert (result.created, result.revision.number) == (True, 3)


def test_saving_an_old_text_over_a_newer_revision_is_not_mistaken_for_no_change() -> None:
    first = notebook_text(code("x = 1", "a"))
    notebook = services.notebook_create(owner=user_make(), content=first)
    stale = Notebook.objects.select_related("current_revision").get(pk=notebook.pk)
    _save(notebook, notebook_text(code("x = 2", "a")))

    # The stale copy still thinks revision 1 (== first) is current.
    result = _save(stale, first)

    assert (result.created, result.revision.number) == (True, 3)
    notebook.refresh_from_db()
    assert selectors.revision_text(revision=notebook.current_revision) == first


def test_a_save_racing_an_identical_one_stores_nothing(bucket: Bucket) -> None:
    notebook = notebook_make(user_make())
    stale = Notebook.objects.select_related("current_revision").get(pk=notebook.pk)
    text = notebook_text(code("x = 'same in both tabs'", "a"))
    _save(notebook, text)
    keys_before = bucket.keys(notebook)

    result = _save(stale, text)

    assert (result.created, result.revision.number) == (False, 2)
    assert bucket.keys(notebook) == keys_before


def test_a_notebook_over_the_size_limit_is_refused_with_413(
    settings: Settings, bucket: Bucket
) -> None:
    settings.NOTEBOOK_MAX_BYTES = 2_000
    notebook = notebook_make(user_make())

    with pytest.raises(NotebookTooLarge) as refused:
        _save(notebook, notebook_text(code("data = '" + "x" * 3_000 + "'", "a")))

    assert refused.value.status == 413
    assert "over the limit of 2 kB per notebook" in refused.value.message
    assert "load it from a file or URL" in refused.value.message
    assert len(bucket.keys(notebook)) == 1


def test_an_account_holds_at_most_notebooks_per_user(settings: Settings) -> None:
    settings.NOTEBOOKS_PER_USER = 2
    owner = user_make()
    notebook_make(owner)
    trashed = notebook_make(owner)
    services.notebook_trash(notebook=trashed)
    notebook_make(owner)  # the trashed one does not count

    with pytest.raises(QuotaExceeded) as refused:
        services.notebook_create(owner=owner, title="One too many")

    assert refused.value.status == 403
    assert "You have 2 notebooks, the most an account can hold" in refused.value.message
    assert Notebook.objects.filter(owner=owner).count() == 3
    # Restoring from the trash is a new notebook on the count, too.
    with pytest.raises(QuotaExceeded):
        services.notebook_restore(notebook=trashed)


def test_storage_per_user_counts_every_revision_and_refuses_beyond_it(
    settings: Settings, bucket: Bucket
) -> None:
    owner = user_make()
    notebook = notebook_make(owner)
    used = _usage(owner.pk)
    big = notebook_text(code("data = '" + "x" * 1_500 + "'", "a"))
    settings.STORAGE_PER_USER_BYTES = used + len(big.encode()) + 100
    _save(notebook, big)
    assert _usage(owner.pk) == used + len(big.encode())
    keys_before = bucket.keys(notebook)

    with pytest.raises(QuotaExceeded) as refused:
        _save(notebook, big.replace("xxx", "yyy", 1))

    assert refused.value.status == 403
    assert "storage" in refused.value.message and "empty the trash" in refused.value.message
    assert _usage(owner.pk) == used + len(big.encode())
    assert bucket.keys(notebook) == keys_before
    assert notebook.current_revision.number == 2


def test_a_collaborators_save_counts_against_the_owners_storage() -> None:
    owner, collaborator = user_make(), user_make()
    notebook = notebook_make(owner)
    before = _usage(owner.pk)
    text = notebook_text(code("y = 2", "b"))

    services.revision_create(notebook=notebook, content=text, author=collaborator, base_revision=1)

    assert _usage(owner.pk) == before + len(text.encode())
    assert not StorageUsage.objects.filter(user=collaborator, bytes_used__gt=0).exists()


def test_unreachable_storage_changes_nothing(settings: Settings) -> None:
    notebook = notebook_make(user_make())
    usage = _usage(notebook.owner_id)
    broken = {**settings.STORAGES["notebooks"]}
    broken["OPTIONS"] = {**broken["OPTIONS"], "bucket_name": "no-such-bucket-here"}
    settings.STORAGES = {**settings.STORAGES, "notebooks": broken}

    with pytest.raises(StorageFailed) as refused:
        _save(notebook, notebook_text(code("x = 'lost?'", "a")))

    assert refused.value.status == 503
    assert "nothing was saved" in refused.value.message
    notebook.refresh_from_db()
    assert notebook.current_revision.number == 1
    assert _usage(notebook.owner_id) == usage


def test_text_not_in_our_format_is_refused() -> None:
    notebook = notebook_make(user_make())
    marimo = 'import marimo\n\napp = marimo.App()\n\n@app.cell\ndef _():\n    x = 1\n    return (x,)\n'

    with pytest.raises(InvalidNotebook) as refused:
        _save(notebook, marimo)

    assert "marimo notebook" in refused.value.message and "import it" in refused.value.message


def test_restoring_an_old_revision_adds_a_new_one_with_its_text(bucket: Bucket) -> None:
    first = notebook_text(code("x = 1", "a"))
    notebook = services.notebook_create(owner=user_make(), content=first)
    _save(notebook, notebook_text(code("x = 2", "a")))

    result = services.revision_restore(notebook=notebook, number=1, author=notebook.owner)

    assert result.created
    assert (result.revision.number, result.revision.restored_from) == (3, 1)
    assert selectors.revision_text(revision=result.revision) == first
    assert len(bucket.keys(notebook)) == 3  # revision 2 is still there
    with pytest.raises(RevisionNotFound, match="no revision 9"):
        services.revision_restore(notebook=notebook, number=9, author=notebook.owner)


def test_trash_hides_and_restore_brings_back() -> None:
    owner = user_make()
    notebook = notebook_make(owner, title="Budget")

    services.notebook_trash(notebook=notebook)
    assert notebook not in selectors.notebook_list_for_user(user=owner)
    assert list(selectors.notebook_trash_for_user(user=owner)) == [notebook]

    services.notebook_restore(notebook=notebook)
    assert list(selectors.notebook_list_for_user(user=owner)) == [notebook]
    assert not selectors.notebook_trash_for_user(user=owner).exists()


def test_purge_removes_every_object_and_gives_the_storage_back(bucket: Bucket) -> None:
    owner = user_make()
    kept = notebook_make(owner)
    notebook = notebook_make(owner)
    _save(notebook, notebook_text(code("x = 2", "a")))
    fork = services.notebook_fork(notebook=notebook, owner=user_make())
    assert len(bucket.keys(notebook)) == 2
    usage_of_kept = sum(r.size for r in Revision.objects.filter(notebook=kept))

    services.notebook_trash(notebook=notebook)
    services.notebook_purge(notebook=notebook)

    assert bucket.keys(notebook) == set()
    assert not Notebook.objects.filter(pk=notebook.pk).exists()
    assert not Revision.objects.filter(notebook_id=notebook.pk).exists()
    assert _usage(owner.pk) == usage_of_kept
    assert selectors.storage_used(user=owner) == usage_of_kept
    # The fork is its own notebook: it keeps its content, and forgets where it came from.
    fork.refresh_from_db()
    assert fork.forked_from is None
    assert len(bucket.keys(fork)) == 1


def test_purge_trash_command_honours_the_retention_days(
    settings: Settings, bucket: Bucket
) -> None:
    settings.TRASH_RETENTION_DAYS = 7
    owner = user_make()
    old, recent, alive = notebook_make(owner), notebook_make(owner), notebook_make(owner)
    for notebook, days in ((old, 8), (recent, 6)):
        services.notebook_trash(notebook=notebook)
        Notebook.objects.filter(pk=notebook.pk).update(
            trashed_at=timezone.now() - timedelta(days=days)
        )
    out = io.StringIO()

    call_command("purge_trash", stdout=out)

    assert "Purged 1 notebook in the trash for more than 7 days." in out.getvalue()
    assert set(Notebook.objects.filter(owner=owner)) == {recent, alive}
    assert bucket.keys(old) == set() and len(bucket.keys(recent)) == 1


def test_fork_copies_the_current_text_into_the_new_owners_account(bucket: Bucket) -> None:
    original = notebook_make(user_make(), title="Weather", cells=[markdown("# Weather")])
    text = notebook_text(markdown("# Weather"), code("temps = [3, 5, 8]", "temps"))
    _save(original, text)
    forker = user_make()

    fork = services.notebook_fork(notebook=original, owner=forker)

    assert (fork.owner, fork.title, fork.forked_from) == (forker, "Weather (fork)", original)
    assert fork.current_revision.number == 1
    assert bucket.read(fork.current_revision.storage_key) == text.encode()
    assert fork.current_revision.storage_key != original.current_revision.storage_key
    assert _usage(forker.pk) == len(text.encode())
    # Later saves of the original leave the fork alone.
    _save(original, notebook_text(code("temps = []", "temps")))
    assert selectors.revision_text(revision=fork.current_revision) == text


def test_import_converts_and_takes_the_title_from_the_first_heading() -> None:
    owner = user_make()
    ipynb = (
        '{"cells": [{"cell_type": "markdown", "metadata": {}, "source": ["# Rainfall 2025\\n"]},'
        ' {"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [],'
        ' "source": ["rain = [12, 30]"]}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
    )

    notebook = services.notebook_import(owner=owner, text=ipynb)

    assert notebook.title == "Rainfall 2025"
    text = selectors.revision_text(revision=notebook.current_revision)
    assert "rain = [12, 30]" in text and "# %% [markdown]" in text
    assert notebook.current_revision.summary == "Rainfall 2025"


def test_titles_are_tidied_and_never_empty() -> None:
    owner = user_make()
    notebook = services.notebook_create(owner=owner, title="  Weekly \n report\x00  ")
    assert notebook.title == "Weekly report"
    services.notebook_rename(notebook=notebook, title="   ")
    notebook.refresh_from_db()
    assert notebook.title == services.UNTITLED


def test_other_accounts_notebooks_do_not_count_and_the_refusal_names_the_limit(
    settings: Settings,
) -> None:
    settings.NOTEBOOKS_PER_USER = 2
    notebook_make(user_make())
    notebook_make(user_make())
    owner = user_make()
    notebook_make(owner)

    services.notebook_create(owner=owner, title="Second")  # others' notebooks do not count
    with pytest.raises(QuotaExceeded) as refused:
        services.notebook_create(owner=owner, title="Third")

    assert refused.value.message == (
        "You have 2 notebooks, the most an account can hold. Delete some to make room "
        "(notebooks in the trash do not count)."
    )
    assert refused.value.detail == {"limit": 2}


def test_saving_the_current_text_again_needs_no_storage(settings: Settings) -> None:
    text = notebook_text(code("x = 1", "a"))
    notebook = services.notebook_create(owner=user_make(), content=text)
    broken = {**settings.STORAGES["notebooks"]}
    broken["OPTIONS"] = {**broken["OPTIONS"], "bucket_name": "no-such-bucket-here"}
    settings.STORAGES = {**settings.STORAGES, "notebooks": broken}

    result = _save(notebook, text, base=1)

    assert result == services.SaveResult(revision=notebook.current_revision, created=False)


def test_a_save_without_a_signed_in_author_records_none() -> None:
    from django.contrib.auth.models import AnonymousUser

    notebook = notebook_make(user_make())

    result = services.revision_create(
        notebook=notebook, content=notebook_text(code("x = 2", "a")), author=AnonymousUser(),
        base_revision=None,
    )

    assert result.created and result.revision.author is None


def test_a_save_moves_the_notebooks_updated_time_in_the_database_and_the_object() -> None:
    notebook = notebook_make(user_make())
    Notebook.objects.filter(pk=notebook.pk).update(updated_at=timezone.now() - timedelta(days=3))
    notebook.refresh_from_db()
    before = notebook.updated_at

    _save(notebook, notebook_text(code("x = 2", "a")))

    stored = Notebook.objects.get(pk=notebook.pk).updated_at
    assert stored > before
    assert notebook.updated_at == stored


def test_a_restore_records_who_restored() -> None:
    owner, editor = user_make(), user_make()
    notebook = services.notebook_create(owner=owner, content=notebook_text(code("x = 1", "a")))
    _save(notebook, notebook_text(code("x = 2", "a")))

    result = services.revision_restore(notebook=notebook, number=1, author=editor)

    assert result.revision.author == editor


def test_a_new_notebook_is_untitled_or_named_by_its_first_heading() -> None:
    owner = user_make()

    assert services.notebook_create(owner=owner).title == services.UNTITLED
    named = services.notebook_create(
        owner=owner, content=notebook_text(markdown("# Tide tables"), code("x = 1", "a"))
    )
    assert named.title == "Tide tables"


def test_renaming_trashing_or_restoring_a_stale_copy_keeps_the_latest_save() -> None:
    owner = user_make()
    notebook = notebook_make(owner)
    stale = Notebook.objects.get(pk=notebook.pk)  # loaded before the save below
    _save(notebook, notebook_text(code("x = 2", "a")))

    services.notebook_rename(notebook=stale, title="Renamed")
    services.notebook_trash(notebook=stale)
    services.notebook_restore(notebook=stale)

    notebook.refresh_from_db()
    assert (notebook.title, notebook.is_trashed) == ("Renamed", False)
    assert notebook.current_revision.number == 2


def test_purging_the_trash_counts_every_notebook_it_purged(settings: Settings) -> None:
    settings.TRASH_RETENTION_DAYS = 7
    owner = user_make()
    for _ in range(2):
        notebook = notebook_make(owner)
        services.notebook_trash(notebook=notebook)
        Notebook.objects.filter(pk=notebook.pk).update(trashed_at=timezone.now() - timedelta(days=8))

    assert services.trash_purge_expired() == 2
    assert not Notebook.objects.filter(owner=owner).exists()
