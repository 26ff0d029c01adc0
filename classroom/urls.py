"""Routes of the classroom pages: ``/courses/...``."""

from django.urls import path

import notebooks.converters  # noqa: F401  (registers <urlsafe:...>)
from classroom import views

app_name = "classroom"
COURSE = "courses/<urlsafe:course_id>/"
ASSIGNMENT = COURSE + "a/<urlsafe:assignment_id>/"
SUBMISSION = ASSIGNMENT + "submissions/<urlsafe:submission_id>/"
urlpatterns = [
    path("courses/", views.course_list, name="courses"),
    path("courses/new", views.course_create, name="course-create"),
    path("courses/join", views.course_join, name="join"),
    path("courses/join/<slug:code>", views.join_link, name="join-link"),
    path(COURSE, views.course_page, name="course"),
    path(COURSE + "settings", views.course_settings, name="course-settings"),
    path(COURSE + "delete", views.course_delete, name="course-delete"),
    path(COURSE + "roster", views.roster_page, name="roster"),
    path(COURSE + "roster/import", views.roster_import, name="roster-import"),
    path(COURSE + "roster/<int:user_id>/role", views.member_role, name="member-role"),
    path(COURSE + "roster/<int:user_id>/remove", views.member_remove, name="member-remove"),
    path(COURSE + "assignments/new", views.assignment_create, name="assignment-create"),
    path(ASSIGNMENT, views.assignment_page, name="assignment"),
    path(ASSIGNMENT + "release", views.assignment_release, name="assignment-release"),
    path(ASSIGNMENT + "dates", views.assignment_dates, name="assignment-dates"),
    path(ASSIGNMENT + "extensions", views.extension_set, name="extension-set"),
    path(
        ASSIGNMENT + "extensions/<int:user_id>/remove",
        views.extension_remove,
        name="extension-remove",
    ),
    path(ASSIGNMENT + "open", views.work_open, name="work-open"),
    path(COURSE + "gradebook", views.gradebook, name="gradebook"),
    path(ASSIGNMENT + "grades.csv", views.grades_csv, name="grades-csv"),
    path(ASSIGNMENT + "feedback", views.feedback_settings, name="feedback"),
    path(ASSIGNMENT + "regrade", views.regrade_all, name="regrade"),
    path(ASSIGNMENT + "student-version", views.student_version, name="student-version"),
    path(SUBMISSION, views.submission_page, name="submission"),
    path(SUBMISSION + "comments", views.comment_add, name="comment-add"),
    path(SUBMISSION + "adjustment", views.adjustment_set, name="adjustment"),
    path(SUBMISSION + "choose", views.submission_choose, name="submission-choose"),
    path(ASSIGNMENT + "submit", views.submit, name="submit"),
]
