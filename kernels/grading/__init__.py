"""Grading's two sides: the student's notebook in a sandbox, the teacher's tests outside it."""
