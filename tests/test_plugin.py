"""The pytest plugin: users' suites get the fixtures without importing anything."""

from __future__ import annotations

import pytest

# Import what the fixtures load in this process first: pytester's in-process runs
# drop modules that an inner run imported, and pydantic models must not be
# defined twice against one pydantic.
import gridcare.risk
import gridcare.testing.synthetic  # noqa: F401

USER_SUITE = """
from gridcare.hierarchy import NodeKind

def test_city(gridcare_city):
    assert gridcare_city.hierarchy.nodes_of(NodeKind.GRID)

def test_policy(gridcare_policy):
    assert gridcare_policy.look_back_days == {look_back}

def test_register(gridcare_register, gridcare_as_of):
    assert len(gridcare_register) == 3
    assert gridcare_as_of.isoformat() == "2022-03-27T08:00:00+08:00"
"""


def test_fixtures_reach_a_users_suite(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user=USER_SUITE.format(look_back=7))
    result = pytester.runpytest("-p", "no:cacheprovider", "--gridcare-scale", "0.001")
    result.assert_outcomes(passed=3)


def test_policy_option_selects_a_preset(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user=USER_SUITE.format(look_back=14))
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--gridcare-scale", "0.001", "--gridcare-policy", "hunan-2022-03"
    )
    result.assert_outcomes(passed=3)


def test_unknown_preset_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user=USER_SUITE.format(look_back=7))
    result = pytester.runpytest("-p", "no:cacheprovider", "--gridcare-policy", "tenth-edition")
    assert result.ret != 0
    result.stderr.fnmatch_lines(["*unknown policy preset 'tenth-edition'*"])
    # One error at start-up, not one per test.
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert (result.stdout.str() + result.stderr.str()).count("unknown policy preset") == 1


def test_a_bad_scale_is_one_start_up_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user=USER_SUITE.format(look_back=7))
    result = pytester.runpytest("-p", "no:cacheprovider", "--gridcare-scale", "big")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--gridcare-scale must be a number, got 'big'*"])


@pytest.mark.parametrize(
    ("option", "value", "field"),
    [
        ("--gridcare-scale", "5", "scale"),
        ("--gridcare-scale", "nan", "scale"),
        ("--gridcare-seed", "-1", "seed"),
        ("--gridcare-profile", "paris", "profile"),
    ],
)
def test_every_option_is_checked_at_start_up_as_the_fixture_uses_it(
    pytester: pytest.Pytester, option: str, value: str, field: str
) -> None:
    """These were taken at start-up, and each test using the city then errored with a
    traceback from inside gridcare."""
    pytester.makepyfile(test_user=USER_SUITE.format(look_back=7))
    result = pytester.runpytest("-p", "no:cacheprovider", option, value)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*gridcare fixtures: --gridcare-{field}: *"])
    assert "Traceback" not in result.stdout.str() + result.stderr.str()


def test_a_usage_error_masks_a_number_in_what_it_quotes(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user=USER_SUITE.format(look_back=7))
    for option in ("--gridcare-seed", "--gridcare-policy"):
        result = pytester.runpytest("-p", "no:cacheprovider", option, "13812345678x")
        assert result.ret == pytest.ExitCode.USAGE_ERROR
        assert "13812345678" not in result.stdout.str() + result.stderr.str()


def test_the_fixtures_work_with_given(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_user="""
from hypothesis import given, settings, strategies as st

@settings(max_examples=5)
@given(n=st.integers(0, 10))
def test_given(n, gridcare_as_of, gridcare_policy, gridcare_register):
    assert gridcare_as_of.hour == 8
    assert len(gridcare_register) == 3
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


@pytest.mark.parametrize(
    ("missing", "statement", "said"),
    [
        (
            "hypothesis",
            "import gridcare.testing.strategies",
            "gridcare.testing.strategies needs hypothesis: "
            'install it with pip install "gridcare[testing]"',
        ),
        (
            "hypothesis",
            "from gridcare.testing import citizen_ids",
            "gridcare.testing.citizen_ids needs hypothesis: "
            'install it with pip install "gridcare[testing]"',
        ),
        (
            "pytest",
            "import gridcare.testing.plugin",
            'gridcare.testing.plugin needs pytest: install it with pip install "gridcare[testing]"',
        ),
    ],
)
def test_a_plain_install_names_the_extra_a_testing_module_needs(
    missing: str, statement: str, said: str
) -> None:
    """Without the ``testing`` extra the error says what to install, not only what is missing
    (run in a fresh interpreter where the package cannot be imported)."""
    import subprocess
    import sys

    code = (
        f"import sys; sys.modules[{missing!r}] = None\n"  # as if it were not installed
        f"try:\n    {statement}\n"
        "except ModuleNotFoundError as exc:\n    print(exc.name, exc, sep='|')\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert run.stdout == f"{missing}|{said}\n"
