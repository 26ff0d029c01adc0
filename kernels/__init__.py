"""Playground kernels: the reactive notebook runtime (``kernels.runtime``).

``kernels.runtime`` is pure standard library and runs unchanged under CPython
and Pyodide. Server-side kernel plumbing (Celery, Channels) lives in sibling
subpackages added by later work and must never be imported by the runtime.
"""
