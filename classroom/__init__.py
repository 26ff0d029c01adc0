"""Classroom: courses, their members, assignments with hidden tests, and submissions."""
