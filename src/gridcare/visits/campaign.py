"""A door-knocking campaign (敲门行动): one round over a scope node, its window and targets.

The campaign is the lowest module of :mod:`gridcare.visits`: the visit
lifecycle, the progress report and the planner all read it, and share the
two small checks it exports (:func:`require_text`,
:func:`target_coverage_fraction`).

>>> from datetime import datetime, timedelta, timezone
>>> t0 = datetime(2022, 3, 20, tzinfo=timezone.utc)
>>> c = Campaign(id="K1", scope="D", round=1, start=t0, end=t0 + timedelta(days=8))
>>> c.target_coverage, c.revisit_interval, c.attempt_limit
(Fraction(19, 20), datetime.timedelta(seconds=14400), 3)
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import attrs

from gridcare.errors import InvalidInput
from gridcare.masking import masked_field_reprs
from gridcare.text import check_text_of
from gridcare.timeutil import DEFAULT_ZONE_NAME, require_aware, zone

__all__ = [
    "MAX_REVISIT_INTERVAL",
    "MAX_TARGET_DIGITS",
    "Campaign",
    "require_revisit_interval",
    "require_text",
    "target_coverage_fraction",
]


def require_text(value: object, field: str) -> None:
    """Raise ``InvalidInput`` unless ``value`` keeps the text rules of an id.

    The rules are :func:`gridcare.text.kind_problem`'s for an id (at most 64
    characters, something visible, printable characters only), with their
    codes: ``not_string``, ``missing``, ``control_character`` and the rest.

    >>> require_text("K1", "id")
    >>> require_text("", "id")
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: id: a text is required [missing]
    """
    if type(field) is not str:
        raise InvalidInput("not_string", "field", "a field name is text")
    check_text_of(value, field)


#: The most characters of a target given as text, and the most digits and the largest power
#: of ten of a decimal one: a proportion needs far fewer, and a text such as "1e-99999999"
#: would make the exact fraction take minutes to compute.
MAX_TARGET_DIGITS = 64


def target_coverage_fraction(value: object) -> Fraction:
    """A target coverage as an exact ``Fraction`` (floats via their shortest decimal form).

    Accepts an ``int``, ``float``, ``str``, ``Fraction`` or ``Decimal``;
    anything else, text that is not a number, an infinite or undefined
    number, or text or a decimal beyond :data:`MAX_TARGET_DIGITS` (in
    characters, digits or power of ten) raises ``InvalidInput`` (code
    ``bad_target``). The range is checked by the class that holds it.

    >>> target_coverage_fraction(0.95), target_coverage_fraction("9/10")
    (Fraction(19, 20), Fraction(9, 10))
    >>> target_coverage_fraction("9.5e-1")
    Fraction(19, 20)
    >>> target_coverage_fraction("most")
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: target_coverage: expected a proportion [bad_target]
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Fraction, Decimal)):
        raise InvalidInput("bad_target", "target_coverage", "expected a proportion", value=value)
    try:
        exact = _exact(value)
    except (TypeError, ValueError, ZeroDivisionError, ArithmeticError):
        exact = None  # refused below, outside the handler: no chained input
    if exact is None:
        raise InvalidInput("bad_target", "target_coverage", "expected a proportion", value=value)
    return exact


def _exact(value: int | float | str | Fraction | Decimal) -> Fraction | None:
    """``value`` as an exact fraction; ``None`` where it is too long to be a proportion."""
    if isinstance(value, float):
        return Fraction(str(value))
    if isinstance(value, str):
        if len(value) > MAX_TARGET_DIGITS:
            return None
        if "/" in value:
            return Fraction(value)  # a ratio: two whole numbers
        value = Decimal(value)
    if isinstance(value, Decimal) and not _small_decimal(value):
        return None
    return Fraction(value)


def _small_decimal(value: Decimal) -> bool:
    """Whether ``value`` is finite, with at most MAX_TARGET_DIGITS digits and power of ten."""
    if not value.is_finite():
        return False
    _, digits, exponent = value.as_tuple()
    return len(digits) <= MAX_TARGET_DIGITS and abs(int(exponent)) <= MAX_TARGET_DIGITS


#: The longest revisit interval a campaign takes: a year. (A longer one is no campaign, and
#: the instant a household is due again would leave the calendar.)
MAX_REVISIT_INTERVAL = timedelta(days=366)


def require_revisit_interval(value: object, field: str = "revisit_interval") -> timedelta:
    """``value`` if it is a ``timedelta`` from zero to :data:`MAX_REVISIT_INTERVAL`.

    The one rule of a revisit interval, for a campaign and a campaign model alike;
    ``InvalidInput`` code ``bad_interval`` otherwise.

    >>> require_revisit_interval(timedelta(hours=4))
    datetime.timedelta(seconds=14400)
    >>> require_revisit_interval(timedelta(days=999_999_999))
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: revisit_interval: a revisit interval is from 0 to 366 days [...]
    """
    if not isinstance(value, timedelta) or not timedelta(0) <= value <= MAX_REVISIT_INTERVAL:
        raise InvalidInput(
            "bad_interval",
            field,
            f"a revisit interval is from 0 to {MAX_REVISIT_INTERVAL.days} days",
            value=value,
        )
    return value


@attrs.frozen(field_transformer=masked_field_reprs)
class Campaign:
    """One round of a door-knocking campaign over a scope node.

    ``target_coverage`` is the occupied reach rate to attain (a ``Fraction``;
    floats and strings such as ``"0.95"`` are converted exactly);
    ``revisit_interval`` is how long after a "nobody home" visit a household
    is due again (from zero to :data:`MAX_REVISIT_INTERVAL`); ``attempt_limit``
    is how many attempts without contact escalate it. Attempts belong to the
    window ``[start, end)``. Local days are in ``zone``.

    >>> from datetime import datetime, timezone
    >>> t0 = datetime(2022, 3, 20, tzinfo=timezone.utc)
    >>> c = Campaign(id="K1", scope="D", round=1, start=t0, end=t0 + timedelta(days=8),
    ...              target_coverage=0.95)
    >>> c.target_coverage, c.attempt_limit
    (Fraction(19, 20), 3)
    >>> Campaign(id="K1", scope="D", round=1, start=t0, end=t0)
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: end: a campaign ends after it starts [empty_window]
    """

    id: str
    scope: str
    round: int
    start: datetime
    end: datetime
    target_coverage: Fraction = attrs.field(
        default=Fraction(95, 100), converter=target_coverage_fraction
    )
    revisit_interval: timedelta = timedelta(hours=4)
    attempt_limit: int = 3
    zone: str = DEFAULT_ZONE_NAME

    def __attrs_post_init__(self) -> None:
        require_text(self.id, "id")
        require_text(self.scope, "scope")
        if isinstance(self.round, bool) or not isinstance(self.round, int) or self.round < 1:
            raise InvalidInput(
                "bad_round", "round", "round is a whole number >= 1", value=self.round
            )
        require_aware(self.start, "start")
        require_aware(self.end, "end")
        if self.end <= self.start:
            raise InvalidInput(
                "empty_window", "end", "a campaign ends after it starts", value=self.end.isoformat()
            )
        if not 0 < self.target_coverage <= 1:
            raise InvalidInput(
                "bad_target",
                "target_coverage",
                "target coverage is in (0, 1]",
                value=str(self.target_coverage),
            )
        require_revisit_interval(self.revisit_interval)
        limit = self.attempt_limit
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise InvalidInput(
                "bad_attempt_limit", "attempt_limit", "attempt limit is >= 1", value=limit
            )
        zone(self.zone)
