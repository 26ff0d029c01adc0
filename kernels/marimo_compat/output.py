"""``mo.output``: write to the running cell's output area while it runs."""

from kernels.marimo_compat._runtime import (
    output_append as append,
)
from kernels.marimo_compat._runtime import (
    output_clear as clear,
)
from kernels.marimo_compat._runtime import (
    output_replace as replace,
)
from kernels.marimo_compat._runtime import (
    output_replace_at_index as replace_at_index,
)

__all__ = ["append", "clear", "replace", "replace_at_index"]
