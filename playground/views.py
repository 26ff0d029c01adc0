"""Site-wide pages: the home page and the health check used by load balancers."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """Say what Playground is."""
    return render(request, "home.html")


@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Answer that the process is up and serving requests (it checks no other service)."""
    return JsonResponse({"status": "ok"})
