"""Parsing forms into declarations: one form, or a batch where nothing is lost.

Rules this module obeys (docs/design.md, "Errors"):

* a form's errors are reported all at once, each with its field path, a stable
  code and a Chinese and English message, values masked; when some fields are
  wrong, the rules between fields still run on every section whose fields are
  right, so the second submission does not reveal new errors;
* no pydantic ``ValidationError`` escapes: callers see
  :class:`~gridcare.errors.InvalidInput`;
* a batch returns, for every row in order, the declaration or its errors:
  ``accepted + rejected == submitted``.

>>> from datetime import datetime
>>> from gridcare.timeutil import DEFAULT_ZONE as CST
>>> from gridcare.declarations import example_form
>>> bad = example_form()
>>> bad["phone"] = "12345"
>>> bad["legs"][0]["number"] = "X99"
>>> batch = parse_forms([example_form(), bad], received_at=datetime(2022, 3, 20, tzinfo=CST))
>>> len(batch.accepted), [str(e) for e in batch.rejected[0].errors]
... # doctest: +NORMALIZE_WHITESPACE
(1, ['phone: 长度不正确 / expected 11 digits, got 5 [bad_length]',
     'legs.0.number: 车次格式不正确 / not a train number [bad_train_number]'])
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, tzinfo
from typing import Any

import attrs
from pydantic import TypeAdapter, ValidationError
from pydantic_core import from_json

from gridcare.declarations._checks import trusted
from gridcare.declarations._domain import Declaration, declaration_of
from gridcare.declarations._enums import FilledBy
from gridcare.declarations._form import (
    DEFAULT_MAX_ADVANCE_DAYS,
    AddressForm,
    DeclarationForm,
    HealthForm,
    IdentityForm,
    Issue,
    LegForm,
    StayForm,
    address_issues,
    check_max_advance_days,
    filler_issues,
    fixed_offset_zone,
    health_issues,
    identity_issues,
    leg_issues,
    receipt_day,
    stay_issues,
)
from gridcare.declarations._messages import code_message, field_errors, shown_value
from gridcare.errors import (
    FieldError,
    InvalidInput,
    read_mapping,
    read_once,
    require_int,
    require_items,
)
from gridcare.masking import masked_field_reprs
from gridcare.text import check_text_of
from gridcare.timeutil import DEFAULT_ZONE, require_aware

__all__ = ["BatchResult", "Payload", "RejectedForm", "parse_form", "parse_forms"]

#: A form as submitted: a mapping (decoded JSON, a web form), or JSON text or bytes.
Payload = Mapping[str, Any] | str | bytes | bytearray

# The validators themselves: the models' own ``model_validate`` converts its refusal, and
# the parser needs pydantic's errors to run the rules between fields on what is valid.
_FORM: TypeAdapter[DeclarationForm] = TypeAdapter(DeclarationForm)
_IDENTITY: TypeAdapter[IdentityForm] = TypeAdapter(IdentityForm)
_ADDRESS: TypeAdapter[AddressForm] = TypeAdapter(AddressForm)
_HEALTH: TypeAdapter[HealthForm] = TypeAdapter(HealthForm)
_LEGS: TypeAdapter[list[LegForm]] = TypeAdapter(list[LegForm])
_STAYS: TypeAdapter[list[StayForm]] = TypeAdapter(list[StayForm])
_FILLED_BY: TypeAdapter[FilledBy] = TypeAdapter(FilledBy)
_WORKER: TypeAdapter[str | None] = TypeAdapter(str | None)


def _context(received_at: datetime, max_advance_days: int, zone: tzinfo) -> dict[str, Any]:
    check_max_advance_days(max_advance_days)
    if not isinstance(zone, tzinfo):
        raise InvalidInput("unknown_zone", "zone", "expected a tzinfo")
    received_on = receipt_day(received_at, zone)
    offset = received_at.utcoffset()
    if offset is not None:  # a shared fixed-offset tzinfo keeps comparisons in C
        received_at = received_at.replace(tzinfo=fixed_offset_zone(offset))
    return {
        "received_at": received_at,
        "received_on": received_on,
        "max_advance_days": max_advance_days,
        "zone": zone,
    }


def _issue_error(issue: Issue) -> FieldError:
    path = ".".join(str(part) for part in issue.loc)
    return FieldError(
        issue.code,
        path,
        f"{code_message(issue.code, 'zh')} / {issue.message}",
        shown_value(issue.value, issue.loc),
    )


def _section(raw: Mapping[str, Any], key: str, adapter: Any, context: Any, failed: set[Any]) -> Any:
    if key in failed or key not in raw:
        return None
    try:
        return adapter.validate_python(raw[key], context=context)
    except ValidationError:  # pragma: no cover - the whole form already reported it
        return None


def _partial_issues(data: Payload, context: dict[str, Any], failed: set[Any]) -> list[Issue]:
    """The rules between fields, on every section whose own fields are valid."""
    if isinstance(data, str | bytes | bytearray):
        try:
            raw = from_json(data)
        except ValueError:
            return []
    else:
        raw = data
    if not isinstance(raw, Mapping):
        return []
    received_at: datetime = context["received_at"]
    issues: list[Issue] = []
    identity = _section(raw, "identity", _IDENTITY, context, failed)
    if identity is not None:
        issues += identity_issues(identity, context["received_on"])
    address = _section(raw, "address", _ADDRESS, context, failed)
    if address is not None:
        issues += address_issues(address)
    legs = _section(raw, "legs", _LEGS, context, failed)
    if legs:
        issues += leg_issues(legs, received_at, context["max_advance_days"])
    stays = _section(raw, "stays", _STAYS, context, failed)
    if stays:
        issues += stay_issues(stays)
    health = _section(raw, "health", _HEALTH, context, failed)
    if health is not None:
        issues += health_issues(health, received_at)
    if "filled_by" not in failed and "proxy_worker_id" not in failed:
        by = _section(raw, "filled_by", _FILLED_BY, context, failed) or FilledBy.SELF
        worker = _section(raw, "proxy_worker_id", _WORKER, context, failed)
        issues += filler_issues(by, worker)
    return issues


def _errors(exc: ValidationError, data: Payload, context: dict[str, Any]) -> list[FieldError]:
    found = field_errors(exc)
    details = exc.errors(include_url=False)
    between = any((d.get("ctx") or {}).get("rule") == "between_fields" for d in details)
    if not between:
        failed = {d["loc"][0] for d in details if d["loc"]}
        if () in (tuple(d["loc"]) for d in details):
            return found  # the payload as a whole is wrong: not an object, not JSON
        found += [_issue_error(issue) for issue in _partial_issues(data, context, failed)]
    return found


def _validate(data: Payload, context: dict[str, Any]) -> DeclarationForm | list[FieldError]:
    if isinstance(data, Mapping):
        try:
            data = read_mapping(data, "form")  # a caller's mapping that fails: this form's problem
        except InvalidInput as exc:
            return list(exc.errors)
    try:
        if isinstance(data, str | bytes | bytearray):
            return _FORM.validate_json(data, context=context)
        return _FORM.validate_python(data, context=context)
    except ValidationError as exc:
        return _errors(exc, data, context)


def _check_id(declaration_id: object, field: str = "declaration_id") -> str:
    """A declaration id: text with the rules and limit of an id (``gridcare.text``); none or
    an empty one is ``bad_declaration_id``."""
    try:
        return check_text_of(declaration_id, field)
    except InvalidInput as exc:
        if exc.code in ("missing", "not_string"):
            missing = "a non-empty text id is required"
            raise InvalidInput("bad_declaration_id", field, missing) from None
        raise


def parse_form(
    data: Payload,
    *,
    declaration_id: str,
    received_at: datetime,
    max_advance_days: int = DEFAULT_MAX_ADVANCE_DAYS,
    zone: tzinfo = DEFAULT_ZONE,
) -> Declaration:
    """Validate one submitted form and build its :class:`Declaration`.

    ``received_at`` is when the form arrived (aware); the arrival may lie at
    most ``max_advance_days`` after it; naive times in the form are read in
    ``zone``. Raises :class:`~gridcare.errors.InvalidInput` listing every
    error (``.errors``), values masked.

    >>> from datetime import datetime
    >>> from gridcare.timeutil import DEFAULT_ZONE as CST
    >>> from gridcare.declarations import example_form
    >>> form = example_form()
    >>> form["identity"]["id_number"] = "110105194912310021"
    >>> form["consent"] = False
    >>> try:
    ...     parse_form(form, declaration_id="D1", received_at=datetime(2022, 3, 20, tzinfo=CST))
    ... except InvalidInput as exc:
    ...     for e in exc.errors:
    ...         print(e.code, e.field, e.value)
    consent_required consent False
    bad_checksum identity.id_number 110105********0021
    """
    _check_id(declaration_id)
    require_aware(received_at, "received_at")
    context = _context(received_at, max_advance_days, zone)
    outcome = _validate(data, context)
    if isinstance(outcome, list):
        raise InvalidInput.collect(outcome)
    return declaration_of(outcome, declaration_id, received_at)


@attrs.frozen(init=False, field_transformer=masked_field_reprs)
class RejectedForm:
    """A row of a batch that did not validate: its position, intended id and every error.

    Checked on construction: ``row`` a whole number from 0, ``declaration_id`` an
    id (:func:`parse_form`'s rules), ``errors`` at least one
    :class:`~gridcare.errors.FieldError`.

    >>> RejectedForm(3, "D3", (FieldError("missing", "phone", "缺少必填项 / required"),)).codes
    ('missing',)
    """

    row: int
    declaration_id: str
    errors: tuple[FieldError, ...]

    def __init__(self, row: int, declaration_id: str, errors: tuple[FieldError, ...]) -> None:
        found = tuple(require_items(errors, FieldError, "errors"))
        if not found:
            raise InvalidInput("missing", "errors", "a rejected form has at least one error")
        self.__attrs_init__(require_int(row, "row", low=0), _check_id(declaration_id), found)

    @property
    def codes(self) -> tuple[str, ...]:
        """The error codes, in order."""
        return tuple(e.code for e in self.errors)


@attrs.frozen(init=False, field_transformer=masked_field_reprs)
class BatchResult:
    """What became of every row of a batch, in row order.

    ``results[i]`` is row ``i``'s :class:`Declaration` or :class:`RejectedForm`;
    ``len(accepted) + len(rejected) == submitted`` always holds. Anything else
    in ``results`` is ``InvalidInput`` (``not_list``, ``wrong_type``).

    >>> BatchResult(()).submitted, BatchResult(()).error_counts()
    (0, {})
    """

    results: tuple[Declaration | RejectedForm, ...]

    def __init__(self, results: tuple[Declaration | RejectedForm, ...]) -> None:
        rows: list[Declaration | RejectedForm] = []
        for i, row in enumerate(require_items(results, object, "results")):
            if not isinstance(row, Declaration | RejectedForm):
                raise InvalidInput(
                    "wrong_type",
                    f"results.{i}",
                    f"expected a Declaration or a RejectedForm, got {type(row).__name__}",
                )
            rows.append(row)
        self.__attrs_init__(tuple(rows))

    @property
    def accepted(self) -> tuple[Declaration, ...]:
        """The declarations built, in row order."""
        return tuple(r for r in self.results if isinstance(r, Declaration))

    @property
    def rejected(self) -> tuple[RejectedForm, ...]:
        """The rows refused, in row order."""
        return tuple(r for r in self.results if isinstance(r, RejectedForm))

    @property
    def submitted(self) -> int:
        """How many rows came in."""
        return len(self.results)

    def error_counts(self) -> dict[str, int]:
        """How many errors of each code the batch held (for a report on form quality)."""
        counts: dict[str, int] = {}
        for r in self.results:
            if isinstance(r, RejectedForm):
                for e in r.errors:
                    counts[e.code] = counts.get(e.code, 0) + 1
        return counts


def parse_forms(
    payloads: Iterable[Payload],
    *,
    received_at: datetime | Sequence[datetime],
    declaration_ids: Sequence[str] | None = None,
    id_prefix: str = "D",
    max_advance_days: int = DEFAULT_MAX_ADVANCE_DAYS,
    zone: tzinfo = DEFAULT_ZONE,
    progress: Callable[[int, int], None] | None = None,
) -> BatchResult:
    """Validate a batch of forms; every row ends up accepted or rejected, none is lost.

    ``received_at`` is one instant for the whole batch or one per row;
    ``declaration_ids`` gives the ids (default ``f"{id_prefix}{row}"``). A row
    whose id an earlier row of the batch already has is rejected
    (``duplicate_id``); a single JSON text or form given as the batch is
    ``InvalidInput`` (``wrong_type``), not a row per character.
    ``progress(done, total)`` is called at most about 100 times.

    >>> from datetime import datetime
    >>> from gridcare.timeutil import DEFAULT_ZONE as CST
    >>> from gridcare.declarations import example_form
    >>> out = parse_forms([example_form(), b"{}", "not json"],
    ...                   received_at=datetime(2022, 3, 20, tzinfo=CST))
    >>> out.submitted, len(out.accepted), [r.codes[0] for r in out.rejected]
    (3, 1, ['missing', 'bad_json'])
    """
    if isinstance(payloads, (str, bytes, bytearray)) or not isinstance(payloads, Iterable):
        # One JSON text is a form, not a batch: iterating it would make a row per character.
        raise InvalidInput(
            "wrong_type",
            "payloads",
            "expected a batch (a list of forms), got " + type(payloads).__name__,
        )
    if progress is not None and not callable(progress):
        raise InvalidInput("not_callable", "progress", "expected a function (done, total)")
    rows = read_once(payloads, "payloads")
    total = len(rows)
    if isinstance(received_at, str | bytes) or not isinstance(received_at, datetime | Iterable):
        raise InvalidInput(
            "not_datetime", "received_at", "expected an aware datetime, or one per row"
        )
    if isinstance(received_at, datetime):
        require_aware(received_at, "received_at")
        instants: Sequence[datetime] = [received_at] * total
    else:
        instants = read_once(received_at, "received_at")
        if len(instants) != total:
            raise InvalidInput(
                "length_mismatch", "received_at", f"expected {total} instants", value=len(instants)
            )
        for i, instant in enumerate(instants):
            require_aware(instant, f"received_at.{i}")
    if declaration_ids is None:
        if not isinstance(id_prefix, str):
            raise InvalidInput("not_string", "id_prefix", "expected text")
        _check_id(f"{id_prefix}{max(total - 1, 0)}", "id_prefix")  # the longest id it makes
        ids: Sequence[str] = [f"{id_prefix}{i}" for i in range(total)]
    else:
        if isinstance(declaration_ids, str | bytes) or not isinstance(declaration_ids, Iterable):
            raise InvalidInput("not_list", "declaration_ids", "expected one id per row")
        ids = read_once(declaration_ids, "declaration_ids")
        if len(ids) != total:
            raise InvalidInput(
                "length_mismatch", "declaration_ids", f"expected {total} ids", value=len(ids)
            )
        for i, declaration_id in enumerate(ids):
            _check_id(declaration_id, f"declaration_ids.{i}")
    if not total:
        return trusted(BatchResult, ())
    context = _context(instants[0], max_advance_days, zone)
    current = instants[0]
    step = max(1, total // 100)
    results: list[Declaration | RejectedForm] = []
    first_row: dict[str, int] = {}
    for i, data in enumerate(rows):
        instant = instants[i]
        if instant is not current:
            context = _context(instant, max_advance_days, zone)
            current = instant
        earlier = first_row.setdefault(ids[i], i)
        if earlier != i:
            # Two rows of one batch under one id: the later one is refused, never merged.
            duplicate = FieldError(
                "duplicate_id", "declaration_id", f"the id of row {earlier} of this batch"
            )
            results.append(trusted(RejectedForm, i, ids[i], (duplicate,)))
        else:
            outcome = _validate(data, context)
            if isinstance(outcome, list):
                results.append(trusted(RejectedForm, i, ids[i], tuple(outcome)))
            else:
                results.append(declaration_of(outcome, ids[i], instant))
        if progress is not None and (i + 1) % step == 0:
            progress(i + 1, total)
    if progress is not None and total % step:
        progress(total, total)
    return trusted(BatchResult, tuple(results))
