"""gridcare: a sans-I/O domain SDK for grid-based community epidemic prevention and care.

The public names are re-exported here; everything else is internal.

>>> from gridcare import CitizenId, Rate
>>> CitizenId.is_valid("11010519491231002X"), str(Rate(168_255, 170_437))
(True, '98.72%')
"""

from gridcare.codes import AreaCode, AreaLevel, CitizenId, PhoneNumber, Sex
from gridcare.errors import (
    FieldError,
    GridcareError,
    IllegalTransition,
    InvalidInput,
    OutOfScope,
    PolicyError,
    UnknownNode,
)
from gridcare.rates import Rate

__version__ = "0.1.0.dev0"

__all__ = [
    "AreaCode",
    "AreaLevel",
    "CitizenId",
    "FieldError",
    "GridcareError",
    "IllegalTransition",
    "InvalidInput",
    "OutOfScope",
    "PhoneNumber",
    "PolicyError",
    "Rate",
    "Sex",
    "UnknownNode",
    "__version__",
]
