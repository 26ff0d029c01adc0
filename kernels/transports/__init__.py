"""How the kernel protocol reaches a kernel: one session loop, several carriers.

:mod:`kernels.transports.session` is the loop every carrier shares (decode a
command, answer a protocol error, interrupt at once, queue the rest with UI
coalescing, encode events). The carriers are thin around it:
:mod:`~kernels.transports.stdio` (JSON lines on stdin/stdout, ``playground kernel
--stdio``, which server kernels run in their sandbox) and
:mod:`~kernels.transports.worker` (the browser's Web Worker under Pyodide).
:mod:`~kernels.transports.stdio_client` drives a stdio kernel process from the
other side (tests, benchmarks, the server-kernel worker).
"""
