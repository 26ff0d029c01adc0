"""HTTP plumbing shared by every app: middleware and the headers of every response.

The client's address behind proxies (``client_address``), requests refused before any
view (``request_checks``), the router between the app's site and the user-content
site (``usercontent``), security headers (``security_headers``, ``middleware``) and
those of static files (``static_files``).
"""
