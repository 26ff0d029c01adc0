"""Staff pages of server kernels: the live kernels, and stopping one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from serverkernels import conf, selectors, services
from serverkernels.models import KernelSession


@staff_member_required
def staff_kernels(request: HttpRequest) -> HttpResponse:
    if not conf.enabled():
        return render(request, "serverkernels/staff_kernels.html",
                      {"unavailable": conf.UNAVAILABLE, "kernels": [], "workers": {}})
    return render(request, "serverkernels/staff_kernels.html", {
        "kernels": selectors.live_kernels(),
        "workers": conf.store().live_workers(),
    })


@staff_member_required
@require_POST
def staff_kernel_stop(request: HttpRequest, session_id: str) -> HttpResponse:
    session = get_object_or_404(KernelSession.objects.select_related("notebook"),
                                public_id=session_id)
    services.kernel_shutdown(session)
    messages.success(request, f"Asked kernel {session.public_id} of {session.owner} to stop.")
    return redirect("serverkernels:staff-kernels")
