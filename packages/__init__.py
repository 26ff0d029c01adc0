"""The wheel proxy (/wheels/): pure-Python wheels from an upstream index, for micropip.

``GET /wheels/simple/<project>/`` answers a PEP 691 JSON index listing only the
project's pure-Python wheels, with file URLs on this site; ``GET /wheels/files/<name>``
downloads such a wheel from upstream once (size-limited, hash-checked) and serves it
from the disk cache from then on. Contract: docs/frontend-contract.md; threats:
docs/security.md.

Modules: ``distributions`` (project and wheel names), ``upstream`` (HTTP to the
upstream index), ``selectors`` (file lists), ``services`` (the download cache),
``errors`` (what users are told), ``views`` (HTTP).
"""
