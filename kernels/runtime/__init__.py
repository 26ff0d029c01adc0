"""The reactive notebook runtime: analysis, dataflow graph, kernel, formats.

Pure standard library: it must import nothing that Pyodide lacks and nothing
from Django.
"""

__version__ = "0.1.0"
