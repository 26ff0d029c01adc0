"""Settings, one module per environment; pick one with ``DJANGO_SETTINGS_MODULE``.

- ``base``: everything, with defaults that need no services at all.
- ``local``: development (``manage.py`` default): SQLite and files under ``var/``.
- ``test``: the test suite (set for pytest in ``pyproject.toml``).
- ``production``: reads every deployment difference from the environment.
"""
