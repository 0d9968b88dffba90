"""The lock files pin every dependency pyproject.toml names, at a version its range allows."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]


def _pins(lock: str) -> dict[str, str]:
    """Name → pinned version, from a pip-compile output."""
    pins = {}
    for line in (ROOT / lock).read_text("utf-8").splitlines():
        if "==" in line and not line.startswith((" ", "#")):
            name, version = line.split("==", 1)
            pins[canonicalize_name(name)] = version.strip()
    return pins


@pytest.mark.parametrize(
    ("lock", "declared"),
    [
        ("requirements.lock", PROJECT["dependencies"]),
        ("requirements-dev.lock", PROJECT["dependencies"] + PROJECT["optional-dependencies"]["dev"]),
    ],
)
def test_the_lock_pins_every_dependency_within_its_range(lock: str, declared: list[str]) -> None:
    pins = _pins(lock)
    stale = []
    for spec in declared:
        requirement = Requirement(spec)
        pinned = pins.get(canonicalize_name(requirement.name))
        if pinned is None or not requirement.specifier.contains(pinned, prereleases=True):
            stale.append(f"{spec} (locked: {pinned})")
    assert not stale, f"refresh the lock files (README, 'Dependencies'): {stale}"
