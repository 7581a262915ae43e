"""Test set-up: eight fake CPU devices (before JAX starts) and the offline data folder."""

import os

os.environ.setdefault("XLA_FLAGS", "--xla_force_host_platform_device_count=8")
os.environ.setdefault("MPLBACKEND", "Agg")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The offline datasets folder; tests that need it skip when JAXZOO_DATA_DIR is unset."""
    d = os.environ.get("JAXZOO_DATA_DIR")
    if not d:
        pytest.skip("JAXZOO_DATA_DIR is not set: real-data learning tests need the offline datasets folder")
    if not Path(d).is_dir():
        pytest.skip(f"JAXZOO_DATA_DIR={d} is not a folder")
    return Path(d)
