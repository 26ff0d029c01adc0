"""The notebook pages hand their script the notebook as JSON that no notebook text can break.

The shared page (``/s/<token>``) puts the notebook's text into its ``#host-config``
element; a notebook may hold anything, including ``</script>`` and markup, and the
page must still carry exactly that text as data.
"""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils.html import json_script

from notebooks.services import notebook_create
from pages.host_page import json_script_element
from sharing.models import Role
from sharing.services import share_link_create
from tests.service.conftest import FakeDist

HOSTILE = (
    "# /// playground\n# version = 1\n# ///\n\n"
    "# %% [markdown] name=intro\n# </script><script>alert('md')</script> & <!-- ->\n\n"
    "# %% name=html\nhtml = \"</script><img src=x onerror=alert(1)> &amp; \\u2028 é\"\nhtml\n"
)


@pytest.mark.parametrize(
    "value",
    [
        {"content": HOSTILE, "n": [1, 2.5, None, True], "nested": {"<key>": "&"}},
        {"empty": "", "unicode": "naïve — ☃ \u2028\u2029", "quote": '"\''},
    ],
)
def test_the_config_element_is_the_one_django_json_script_makes(value: dict) -> None:
    assert json_script_element(value, "host-config") == json_script(value, "host-config")


@pytest.mark.django_db
def test_a_shared_notebook_with_markup_in_it_arrives_whole_and_inert(fake_dist: FakeDist) -> None:
    owner = get_user_model().objects.create_user(
        username="markup", email="markup@example.com", password="a-long-password-1"
    )
    notebook = notebook_create(owner=owner, title="Markup", content=HOSTILE)
    link = share_link_create(notebook=notebook, created_by=owner, role=Role.VIEW, show_code=True)

    page = Client().get(f"/s/{link.token}").content.decode()

    # One config element, whose end is the only </script> after its start.
    start = page.index('<script id="host-config" type="application/json">')
    body = page[start:].split(">", 1)[1].split("</script>", 1)[0]
    assert json.loads(body)["notebook"]["content"] == HOSTILE
    assert "<img" not in body and "<script" not in body
