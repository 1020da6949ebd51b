"""The gridcare pytest plugin: fixtures for users' own test suites.

Registered by every install through the ``pytest11`` entry point, so the
fixtures are available without any import wherever pytest runs (they need
pytest only, not the ``testing`` extra's hypothesis):

``gridcare_city``
    a small deterministic synthetic city (session-scoped): profile, scale and
    seed from ``--gridcare-profile``, ``--gridcare-scale`` and
    ``--gridcare-seed`` (or the ini options of the same names with
    underscores: ``gridcare_scale = 0.01``);
``gridcare_policy``
    a preset policy (``--gridcare-policy``, default ``ninth-edition``);
``gridcare_register``
    a small risk register of dated designations: a high-risk community and a
    medium-risk street in Shanghai and a high-risk county in Jilin, raised in
    March 2022 and lifted in June (see :func:`sample_register`);
``gridcare_as_of``
    the instant the fixtures are pinned to: 2022-03-27 08:00 in Asia/Shanghai,
    the cutoff of the real city's report.

Example (in a user's ``test_rules.py``)::

    def test_no_stay_no_measure(gridcare_register, gridcare_policy, gridcare_as_of):
        from gridcare import assess
        result = assess([], register=gridcare_register, policy=gridcare_policy,
                        as_of=gridcare_as_of)
        assert result.plan is None
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import TYPE_CHECKING

from gridcare.testing._arguments import require_extra

require_extra("pytest", __name__)  # a plain install: say which extra brings it

import pytest  # noqa: E402

from gridcare.timeutil import DEFAULT_ZONE  # noqa: E402

if TYPE_CHECKING:
    from gridcare.risk import Policy, RiskRegister
    from gridcare.testing.synthetic import City

__all__ = ["AS_OF", "sample_register"]

#: The instant the fixtures are pinned to: the real city's report cutoff.
AS_OF = datetime(2022, 3, 27, 8, 0, tzinfo=DEFAULT_ZONE)

_OPTIONS = {
    "profile": ("zhuzhou", "synthetic city profile for gridcare_city"),
    "scale": ("0.002", "synthetic city scale for gridcare_city"),
    "seed": ("0", "synthetic city seed for gridcare_city"),
    "policy": ("ninth-edition", "preset name for gridcare_policy"),
}


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register the command-line and ini options of the fixtures."""
    group = parser.getgroup("gridcare", "gridcare fixtures")
    for name, (default, help_text) in _OPTIONS.items():
        group.addoption(f"--gridcare-{name}", dest=f"gridcare_{name}", default=None, help=help_text)
        parser.addini(f"gridcare_{name}", help_text, default=default)


def pytest_configure(config: pytest.Config) -> None:
    """Check the fixtures' options once, at start-up: a bad one is one usage error.

    Every option is checked as the fixture will use it (the profile, the scale's
    range and the seed's by :func:`~gridcare.testing.synthetic_city`'s own
    rules), so no test errors later on an option; what the line quotes of a bad
    value has its phone and ID numbers masked.
    """
    from gridcare.errors import InvalidInput
    from gridcare.masking import mask_numbers
    from gridcare.risk import PRESETS
    from gridcare.testing.synthetic import check_city_arguments

    numbers: dict[str, float | int] = {}
    for name in ("scale", "seed"):
        text = _option(config, name)
        with contextlib.suppress(ValueError):  # refused below: no chained exception
            numbers[name] = float(text) if name == "scale" else int(text)
        if name not in numbers:
            raise pytest.UsageError(
                f"gridcare fixtures: --gridcare-{name} must be a number, "
                f"got {mask_numbers(repr(text))}"
            )
    problem: InvalidInput | None = None
    try:
        check_city_arguments(_option(config, "profile"), numbers["scale"], numbers["seed"])
    except InvalidInput as err:
        problem = err
    if problem is not None:  # the error's own text: its value masked and cut
        raise pytest.UsageError(f"gridcare fixtures: --gridcare-{problem.field}: {problem.message}")
    policy = _option(config, "policy")
    if policy not in PRESETS:
        raise pytest.UsageError(
            f"gridcare fixtures: unknown policy preset {mask_numbers(repr(policy))}; "
            f"choose from {sorted(PRESETS)}"
        )


def _option(config: pytest.Config, name: str) -> str:
    given = config.getoption(f"gridcare_{name}")
    if given is not None:
        return str(given)
    return str(config.getini(f"gridcare_{name}"))


def sample_register() -> RiskRegister:
    """A small register of dated designations for tests (real codes, illustrative dates).

    >>> len(sample_register())
    3
    """
    from gridcare.codes import AreaCode
    from gridcare.risk import RiskDesignation, RiskLevel, RiskRegister

    def at(month: int, day: int) -> datetime:
        return datetime(2022, month, day, 0, 0, tzinfo=DEFAULT_ZONE)

    return RiskRegister(
        [
            RiskDesignation(AreaCode.parse("310115005001"), RiskLevel.HIGH, at(3, 14), at(6, 1)),
            RiskDesignation(AreaCode.parse("310104003"), RiskLevel.MEDIUM, at(3, 18), at(6, 1)),
            RiskDesignation(AreaCode.parse("220202"), RiskLevel.HIGH, at(3, 5), at(4, 28)),
        ]
    )


@pytest.fixture(scope="session")
def gridcare_city(pytestconfig: pytest.Config) -> City:
    """A small deterministic synthetic city (see the module docs for options)."""
    from gridcare.testing.synthetic import synthetic_city

    profile = _option(pytestconfig, "profile")
    scale = float(_option(pytestconfig, "scale"))  # checked at start-up (pytest_configure)
    seed = int(_option(pytestconfig, "seed"))
    return synthetic_city(profile, scale=scale, seed=seed)


@pytest.fixture(scope="session")
def gridcare_policy(pytestconfig: pytest.Config) -> Policy:
    """A preset policy: ``--gridcare-policy`` (default ``ninth-edition``)."""
    from gridcare.risk import PRESETS

    return PRESETS[_option(pytestconfig, "policy")]  # checked at start-up (pytest_configure)


@pytest.fixture(scope="session")
def gridcare_register() -> RiskRegister:
    """The small risk register of :func:`sample_register`."""
    return sample_register()


@pytest.fixture(scope="session")
def gridcare_as_of() -> datetime:
    """2022-03-27 08:00 Asia/Shanghai (session-scoped, so ``@given`` tests can use it)."""
    return AS_OF
