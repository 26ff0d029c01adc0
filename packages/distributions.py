"""Project names (PEP 503, PEP 508) and wheel file names (the binary distribution format).

Pure functions: no settings, no I/O.
"""

import re
from dataclasses import dataclass

# PEP 508: letters, digits, and . _ - inside, starting and ending with a letter or digit.
_PROJECT_NAME = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)
# {distribution}-{version}(-{build tag})?-{python tag}-{abi tag}-{platform tag}.whl, where
# each part is made of these characters (dots separate compressed tag sets).
_WHEEL_FILENAME = re.compile(
    r"^(?P<distribution>[A-Za-z0-9][A-Za-z0-9._]*)"
    r"-(?P<version>[A-Za-z0-9._!+]+)"
    r"(?:-(?P<build>[0-9][A-Za-z0-9._]*))?"
    r"-(?P<python>[A-Za-z0-9._]+)"
    r"-(?P<abi>[A-Za-z0-9._]+)"
    r"-(?P<platform>[A-Za-z0-9._]+)"
    r"\.whl$"
)
# A Python 3 interpreter tag that any Python 3 implementation can use: py3, py30, py314...
_PURE_PYTHON_3_TAG = re.compile(r"^py3\d*$")


def project_name_is_valid(name: str) -> bool:
    return bool(_PROJECT_NAME.match(name))


def project_name_normalize(name: str) -> str:
    """PEP 503: lowercase, runs of ``-``, ``_`` and ``.`` become one ``-``."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class WheelFilename:
    filename: str
    project: str  # normalized
    version: str
    python_tags: tuple[str, ...]
    abi_tags: tuple[str, ...]
    platform_tags: tuple[str, ...]

    @property
    def is_pure_python(self) -> bool:
        """Runs on any Python 3 on any platform, so in Pyodide (``py3-none-any`` and kin)."""
        return (
            self.abi_tags == ("none",)
            and self.platform_tags == ("any",)
            and any(_PURE_PYTHON_3_TAG.match(tag) for tag in self.python_tags)
        )


def wheel_filename_parse(filename: str) -> WheelFilename | None:
    """The parts of a wheel's file name, or None when it is not one.

    Only names built from the characters wheel names allow pass, so a valid name
    never contains a path separator or starts with a dot.
    """
    match = _WHEEL_FILENAME.match(filename)
    if match is None:
        return None
    return WheelFilename(
        filename=filename,
        project=project_name_normalize(match["distribution"]),
        version=match["version"],
        python_tags=tuple(match["python"].split(".")),
        abi_tags=tuple(match["abi"].split(".")),
        platform_tags=tuple(match["platform"].split(".")),
    )
