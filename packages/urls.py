"""Routes of the wheel proxy, mounted at /wheels/ (docs/frontend-contract.md)."""

from django.urls import path

from packages import views

app_name = "packages"
urlpatterns = [
    path("simple/<str:project>/", views.project_index, name="project-index"),
    # <path:...> so that names with slashes reach the view and are refused there, in JSON.
    path("files/<path:filename>", views.wheel_file, name="wheel-file"),
]
