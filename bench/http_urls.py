"""The site's URLs plus ``/bench/floor/<token>``: the floor page bench/http.py compares with.

The floor is the least a page of ours can cost on this stack: the same middleware,
the same database and server, two indexed queries (the share link by its unique
token, then its notebook by primary key) and 20 KB of HTML, with no template,
access checks or notebook content. bench/http.py divides the shared page's
requests per second by the floor's. Never part of the shipped URLs.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path
from django.utils.html import escape
from django.views.decorators.http import require_safe

from notebooks.models import Notebook
from playground.urls import urlpatterns as site_urlpatterns
from sharing.models import ShareLink

FLOOR_BYTES = 20 * 1024
_FILLER = "<p>" + "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 8 + "</p>\n"


@require_safe
def floor(request: HttpRequest, token: str) -> HttpResponse:
    """Two indexed queries and about 20 KB of HTML naming the notebook."""
    links = ShareLink.objects.filter(token=token)
    notebook_id = links.values_list("notebook_id", flat=True).first()
    if notebook_id is None:
        raise Http404("no such link")
    notebook = Notebook.objects.filter(pk=notebook_id).values("title", "public_id").first()
    if notebook is None:
        raise Http404("no such notebook")
    head = (
        f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{escape(notebook['title'])}</title></head><body>"
        f"<h1 data-notebook=\"{escape(notebook['public_id'])}\">{escape(notebook['title'])}</h1>\n"
    )
    filler = _FILLER * ((FLOOR_BYTES - len(head)) // len(_FILLER) + 1)
    return HttpResponse(head + filler[: FLOOR_BYTES - len(head) - 15] + "</body></html>\n")


urlpatterns = [
    path("bench/floor/<str:token>", floor),
    *site_urlpatterns,
]
