"""Exact rates: half-up percentages, undefined zero denominators, adding counts."""

from __future__ import annotations

import pickle
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gridcare.errors import InvalidInput
from gridcare.rates import MAX_PLACES, UNDEFINED, Rate
from gridcare.testing.strategies import rates


def half_up_oracle(numerator: int, denominator: int, places: int) -> Decimal:
    """Round numerator/denominator*100 half up with Fractions (no floats, no divmod)."""
    exact = Fraction(numerator * 100, denominator) * 10**places
    floor = exact.numerator // exact.denominator
    rounded = floor + 1 if exact - floor >= Fraction(1, 2) else floor
    return Decimal(rounded) / Decimal(10**places)


def test_the_review_rate_of_the_article() -> None:
    rate = Rate(168_255, 170_437)
    assert str(rate) == "98.72%"
    assert rate.value == Fraction(168_255, 170_437)
    assert rate.percent() == Decimal("98.72")


@pytest.mark.parametrize(
    ("numerator", "denominator", "shown"),
    [
        (1, 8, "12.50%"),
        (1, 3, "33.33%"),
        (2, 3, "66.67%"),
        (1, 1, "100.00%"),
        (0, 5, "0.00%"),
        (1, 80_000, "0.00%"),  # 0.00125 %: rounds down
        (1, 40_000, "0.00%"),  # 0.0025 %: rounds down
        (1, 20_000, "0.01%"),  # 0.005 %: exactly half, rounds up
        (3, 2, "150.00%"),
    ],
)
def test_display_examples(numerator: int, denominator: int, shown: str) -> None:
    built = Rate.ratio if numerator > denominator else Rate
    assert str(built(numerator, denominator)) == shown


@given(rates(max_count=10**12, defined=True, proper=False), st.integers(0, 6))
def test_half_up_is_exact(rate: Rate, places: int) -> None:
    assert rate.percent(places) == half_up_oracle(rate.numerator, rate.denominator, places)


@given(st.integers(0, 10**6), st.integers(1, 10**4), st.integers(0, 4))
def test_exact_halves_round_up(k: int, m: int, places: int) -> None:
    # (2k+1)m / (200 * 10^places * m) * 100 * 10^places == k + 1/2 exactly
    rate = Rate.ratio((2 * k + 1) * m, 200 * 10**places * m)
    assert rate.percent(places) == Decimal(k + 1).scaleb(-places)


def test_percentage_shows_two_decimals() -> None:
    assert str(Rate(1, 2)) == "50.00%"
    assert str(Rate(0, 1)) == "0.00%"


@pytest.mark.parametrize("numerator", [0, 7])
def test_zero_denominator_is_undefined(numerator: int) -> None:
    rate = Rate(numerator, 0)
    assert str(rate) == UNDEFINED == "—"
    assert rate.value is None
    assert rate.percent() is None
    assert not rate.defined


@pytest.mark.parametrize(
    ("numerator", "denominator", "field", "code"),
    [
        (-1, 5, "numerator", "negative"),
        (1, -5, "denominator", "negative"),
        (True, 5, "numerator", "not_integer"),
        (1, False, "denominator", "not_integer"),
        (0.5, 1, "numerator", "not_integer"),
        (1, 2.0, "denominator", "not_integer"),
        (Fraction(1, 2), 1, "numerator", "not_integer"),
        ("1", 2, "numerator", "not_integer"),
    ],
)
def test_bad_counts_are_refused(
    numerator: object, denominator: object, field: str, code: str
) -> None:
    with pytest.raises(InvalidInput) as info:
        Rate(numerator, denominator)  # type: ignore[arg-type]
    assert (info.value.code, info.value.field) == (code, field)


@pytest.mark.parametrize(
    ("places", "code"), [(-1, "negative"), (1.5, "not_integer"), (True, "not_integer")]
)
def test_bad_places_are_refused(places: object, code: str) -> None:
    with pytest.raises(InvalidInput) as info:
        Rate(1, 3).percent(places)  # type: ignore[arg-type]
    assert (info.value.code, info.value.field) == (code, "places")


@given(rates(proper=False), rates(proper=False))
def test_addition_sums_counts(a: Rate, b: Rate) -> None:
    total = a + b
    assert total == Rate.ratio(a.numerator + b.numerator, a.denominator + b.denominator)


@given(st.lists(rates(proper=False), max_size=6))
def test_addition_is_a_monoid_and_never_averages(parts: list[Rate]) -> None:
    total = Rate.zero()
    for part in parts:
        total = total + part
    assert total == sum(parts, Rate.zero())
    assert Rate.zero() + total == total == total + Rate.zero()
    numerator = sum(p.numerator for p in parts)
    denominator = sum(p.denominator for p in parts)
    assert total.value == (Fraction(numerator, denominator) if denominator else None)


def test_averaging_percentages_would_be_wrong() -> None:
    # 1/1 and 0/3 are 100% and 0%: their mean is 50%, the rate of the sum is 25%.
    assert str(Rate(1, 1) + Rate(0, 3)) == "25.00%"


def test_adding_something_else_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        Rate(1, 2) + 1  # type: ignore[operator]


@given(rates(proper=False))
def test_rates_pickle_and_hash(rate: Rate) -> None:
    assert pickle.loads(pickle.dumps(rate)) == rate
    assert hash(Rate.ratio(rate.numerator, rate.denominator)) == hash(rate)


# ----------------------------------------------------------------------------- a rate is a share


@pytest.mark.parametrize(("numerator", "denominator"), [(5, 3), (2, 1), (10**30, 10**30 - 1)])
def test_a_rate_above_one_is_refused(numerator: int, denominator: int) -> None:
    with pytest.raises(InvalidInput) as err:
        Rate(numerator, denominator)
    assert (err.value.code, err.value.field) == ("not_a_share", "numerator")
    if numerator < 10**9:  # a count is shown as it is; a long run of digits is masked
        assert err.value.value == numerator


def test_a_ratio_is_explicit() -> None:
    assert str(Rate.ratio(5, 3)) == "166.67%"
    assert Rate.ratio(1, 3) == Rate(1, 3)
    assert Rate(3, 0).value is None  # undefined, whatever the numerator
    mixed = Rate.ratio(3, 2) + Rate(1, 2)  # a ratio plus a share is a ratio
    assert not mixed.share
    assert str(mixed) == "100.00%"
    assert str(Rate.ratio(1, 2) + Rate(1, 0)) == "100.00%"
    with pytest.raises(InvalidInput) as err:
        Rate(1, 2, share="yes")  # type: ignore[arg-type]
    assert (err.value.code, err.value.field, err.value.value) == ("bad_flag", "share", "str")


@given(rates(proper=True), rates(proper=True))
def test_the_sum_of_shares_is_a_share(a: Rate, b: Rate) -> None:
    total = a + b
    assert total.share
    assert total.numerator <= total.denominator or total.denominator == 0


@pytest.mark.parametrize("places", [11, 40, 2**63, 10**100])
def test_percent_places_are_bounded(places: int) -> None:
    with pytest.raises(InvalidInput) as err:
        Rate(1, 3).percent(places)
    assert (err.value.code, err.value.field) == ("out_of_range", "places")
    if places < 10**9:  # a long run of digits is masked
        assert err.value.value == places


def test_percent_places_up_to_the_maximum() -> None:
    assert Rate(1, 3).percent(MAX_PLACES) == Decimal("33.3333333333")


def test_a_deep_list_is_refused_without_recursion() -> None:
    deep: list[object] = []
    for _ in range(50_000):
        deep = [deep]
    with pytest.raises(InvalidInput) as err:
        Rate(deep, 1)  # type: ignore[arg-type]
    assert err.value.code == "not_integer"
    assert len(str(err.value)) < 200
