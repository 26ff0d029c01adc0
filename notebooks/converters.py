"""The URL converter for every random id and token in an address.

Notebook ids, share-link tokens, link and API-token ids are all
``secrets.token_urlsafe`` strings: letters, digits, ``-`` and ``_``. Routes take
them as ``<urlsafe:name>`` (pages) or ``{urlsafe:name}`` (the API), so anything
else (a NUL byte, which PostgreSQL refuses in a query; a slash; a lone surrogate)
is a plain 404 before any view or query sees it, exactly like an id that does not
exist.
"""

from django.urls import register_converter


class UrlSafeIdConverter:
    # The longest we make is 32 characters (192-bit link tokens); room to grow.
    regex = "[A-Za-z0-9_-]{1,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(UrlSafeIdConverter, "urlsafe")
