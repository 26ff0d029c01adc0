"""Notebooks in people's accounts: titles, every saved revision, the trash, imports.

Content lives in object storage (:mod:`storage`), one immutable object per revision;
the rows here say whose a notebook is and which revision is current. Who may do what
to a notebook is decided in :mod:`sharing.access`, not here.
"""
