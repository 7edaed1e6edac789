"""ntp-atlas: reports, maps and static HTML for Vietnam's National Target Programmes by area.

All logic lives in this package; notebooks in ``notebooks/`` are thin and call it.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ntp-atlas")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+local"

from analysis.errors import NtpAtlasError  # noqa: E402

__all__ = ["NtpAtlasError", "__version__"]
