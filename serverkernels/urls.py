"""URL routes of server kernels' staff pages (the API is in serverkernels.api)."""

from django.urls import path

import notebooks.converters  # noqa: F401  (registers <urlsafe:...>)
from serverkernels import views

app_name = "serverkernels"

urlpatterns = [
    path("staff/kernels/", views.staff_kernels, name="staff-kernels"),
    path("staff/kernels/<urlsafe:session_id>/stop", views.staff_kernel_stop,
         name="staff-kernel-stop"),
]
