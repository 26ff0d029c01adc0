"""Server kernels: notebook sessions run by Celery workers in sandboxed child processes."""
