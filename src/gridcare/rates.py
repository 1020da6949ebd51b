"""Exact rates: a numerator and a denominator, displayed as a half-up percentage.

docs/design.md, "Rates": a rate is two exact integers; it is shown as a percentage
with two decimals, rounding half up (168,255 of 170,437 is ``98.72%``); a zero
denominator is *undefined* and shown ``—``. Rollups add numerators and
denominators and never average percentages: ``Rate.__add__`` does exactly that.

A rate is a share: its numerator is at most its denominator (``Rate(5, 3)`` is
``InvalidInput`` code ``not_a_share``). A quotient that may exceed one (a load:
residents due over capacity) is built explicitly with :meth:`Rate.ratio`.

>>> str(Rate(168_255, 170_437))
'98.72%'
>>> str(Rate(0, 0)), Rate(0, 0).value is None
('—', True)
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import attrs

from gridcare.errors import InvalidInput, require_flag, require_int
from gridcare.masking import masked_field_reprs

__all__ = ["MAX_PLACES", "UNDEFINED", "Rate"]

#: How an undefined rate (zero denominator) is displayed.
UNDEFINED = "—"

#: The most decimals :meth:`Rate.percent` gives.
MAX_PLACES = 10


@attrs.frozen(order=False, field_transformer=masked_field_reprs)
class Rate:
    """A proportion kept as two exact integers: a share, numerator at most denominator.

    A zero denominator makes the rate undefined (whatever the numerator). A
    numerator above a non-zero denominator is refused (code ``not_a_share``)
    unless the rate is built with :meth:`ratio`.

    >>> Rate(5, 3)
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: numerator: a rate is a share: ... [not_a_share]
    >>> r = Rate(1, 3)
    >>> r.value, str(r), r.percent()
    (Fraction(1, 3), '33.33%', Decimal('33.33'))
    >>> str(Rate(1, 8) + Rate(1, 8))
    '12.50%'
    """

    numerator: int
    denominator: int
    #: False only for a quotient built with :meth:`ratio`, which may exceed one.
    share: bool = attrs.field(default=True, kw_only=True, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        numerator, denominator = self.numerator, self.denominator
        if not (type(numerator) is int and numerator >= 0):
            require_int(numerator, "numerator", low=0)
        if not (type(denominator) is int and denominator >= 0):
            require_int(denominator, "denominator", low=0)
        require_flag(self.share, "share")
        if self.share and 0 < self.denominator < self.numerator:
            raise InvalidInput(
                "not_a_share",
                "numerator",
                "a rate is a share: the numerator is more than the denominator",
                value=self.numerator,
            )

    @classmethod
    def ratio(cls, numerator: int, denominator: int) -> Rate:
        """A quotient of two counts that may exceed one (shown as a percentage all the same).

        >>> str(Rate.ratio(5, 3))
        '166.67%'
        """
        return cls(numerator, denominator, share=False)

    @property
    def value(self) -> Fraction | None:
        """The exact proportion, or ``None`` when the denominator is zero."""
        if self.denominator == 0:
            return None
        return Fraction(self.numerator, self.denominator)

    @property
    def defined(self) -> bool:
        """Whether the denominator is non-zero."""
        return self.denominator != 0

    def percent(self, places: int = 2) -> Decimal | None:
        """The percentage rounded half up to ``places`` decimals (``None`` if undefined).

        Exact: computed on integers, never through a float.

        >>> Rate(1, 8).percent(1)
        Decimal('12.5')
        >>> Rate(2, 3).percent(0)
        Decimal('67')
        """
        require_int(
            places, "places", low=0
        )  # a float or negative power of ten would lose exactness
        if places > MAX_PLACES:
            raise InvalidInput(
                "out_of_range", "places", f"at most {MAX_PLACES} decimals", value=places
            )
        if self.denominator == 0:
            return None
        # Integer arithmetic only, so half-up holds exactly for counts of any size.
        scale = 10**places
        q, r = divmod(self.numerator * 100 * scale, self.denominator)
        if 2 * r >= self.denominator:
            q += 1
        return Decimal(q).scaleb(-places)

    def __str__(self) -> str:
        shown = self.percent()
        return UNDEFINED if shown is None else f"{shown}%"

    def __add__(self, other: object) -> Rate:
        if not isinstance(other, Rate):
            return NotImplemented
        return Rate(
            self.numerator + other.numerator,
            self.denominator + other.denominator,
            share=self.share and other.share,
        )

    @classmethod
    def zero(cls) -> Rate:
        """The undefined rate ``0/0``, identity of ``+``.

        >>> Rate.zero() + Rate(3, 4) == Rate(3, 4)
        True
        """
        return cls(0, 0)
