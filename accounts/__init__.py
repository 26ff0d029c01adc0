"""Accounts: sign-up, log-in and e-mail come from django-allauth; this app adds the
account settings page and personal API tokens.
"""
