"""Free text from outside: one set of rules, one check, one table of limits.

Every text a person or a caller types into gridcare (a name, an address part,
an id, a place, a reason) passes :func:`check_text` (or, without raising,
:func:`text_problem`) with the limit of its kind from :data:`TEXT_LIMITS`.
The rules, in the order they are checked (the first broken one is reported),
and their codes:

* ``not_string``: anything but ``str``;
* ``too_long``: more characters (code points) than the limit, checked first,
  before the text is read;
* ``lone_surrogate``: a code point U+D800-U+DFFF (not text: it cannot be
  encoded);
* ``control_character``: the C0 and C1 controls (NUL, ESC, DEL,
  U+0080-U+009F) and the line and paragraph separators U+2028 and U+2029;
  multi-line text (``multiline=True``) may hold tab, CR and LF;
* ``bidi_control``: the bidirectional embeddings, overrides and isolates
  U+202A-U+202E and U+2066-U+2069;
* ``not_printable``, for an id (``printable=True``, the ``id`` kind of
  :func:`check_text_of`) only: any other character that is not printable: a
  format character (zero-width space or joiner, direction mark, byte order
  mark), a space other than U+0020, a private-use or unassigned code point.
  Two ids that look the same are then the same id;
* ``missing``: empty or only blanks (unless ``allow_empty``);
* ``invisible``: something, but nothing visible: only blanks, format
  characters (zero-width space and joiners, direction marks, the byte order
  mark), combining marks and blank letters (Hangul fillers, the blank
  braille pattern).

The check never changes a text, and texts are not NFC-normalised or folded:
a name written with a CJK compatibility ideograph (which NFC replaces), or
``e`` and a combining accent, is kept with those code points, as a register
may hold them; whatever compares texts (routing, duplicate detection) decides
its own equivalence. An error never quotes the
refused text: it names the rule, and the position and code point of the
offending character.

>>> check_text("刘晓娟", "name", max_length=TEXT_LIMITS["name"])
'刘晓娟'
>>> for bad in ("\\u200b", "a\\x1b[31m", "x" * 51):
...     print(text_problem(bad, "name", max_length=TEXT_LIMITS["name"]).code)
invisible
control_character
too_long
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Mapping
from operator import itemgetter
from types import MappingProxyType

from gridcare.errors import FieldError, InvalidInput

__all__ = [
    "TEXT_CODES",
    "TEXT_LIMITS",
    "check_text",
    "check_text_of",
    "is_plain",
    "kind_problem",
    "plain_texts",
    "text_problem",
]

#: The most characters a text of each kind may have:
#:
#: * ``name``: a person's name;
#: * ``short``: a building, unit or room number, a seat, a train, flight or
#:   vehicle number, an identity document number (and their masked forms);
#: * ``id``: an id given by a system (declaration, event, grid, worker, node),
#:   a field path;
#: * ``code``: a door QR code, a pseudonymous person key;
#: * ``place``: a community, a place, an address, a detail, an institution;
#: * ``note``: free text written by a worker (a rejection reason); line
#:   breaks allowed.
TEXT_LIMITS: Mapping[str, int] = MappingProxyType(
    {"name": 50, "short": 20, "id": 64, "code": 128, "place": 200, "note": 1000}
)

#: Every code :func:`text_problem` gives, in the order the rules are checked.
TEXT_CODES: tuple[str, ...] = (
    "not_string",
    "too_long",
    "lone_surrogate",
    "control_character",
    "bidi_control",
    "not_printable",
    "missing",
    "invisible",
)

_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_LINE_BREAKS = frozenset("\t\n\r")
# Letters and symbols that draw nothing (not Cf, Mn or Me, so named here).
_BLANK_GLYPHS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
_UNSEEN = frozenset({"Cf", "Mn", "Me", "Cc", "Zs", "Zl", "Zp"})
_LIMIT_OF_LIMITS = 1_000_000


_category = unicodedata.category


def _seen(ch: str) -> bool:
    """Whether a character draws something."""
    return ch not in _BLANK_GLYPHS and _category(ch) not in _UNSEEN


def _problem(code: str, field: str, message: str) -> FieldError:
    return FieldError(code, field, message)


def _where(i: int, ch: str) -> str:
    return f"U+{ord(ch):04X} at position {i}"


def is_plain(value: object, max_length: int) -> bool:
    """The quick test of the text rules: a ``str`` of at most ``max_length`` characters, all
    printable, whose first character is a letter or digit that draws something.

    A text that passes it keeps the rules of every kind with that limit (an
    id's included), so a caller building values by the million may test this
    first and run :func:`kind_problem` only on the rest; ``False`` says only
    that the full rules must decide. It never raises: whatever is not a
    ``str``, or a limit that is not an ``int``, is ``False``.
    :func:`plain_texts` is the same test over many texts at once.

    >>> is_plain("G12", 64), is_plain(" G12", 64), is_plain("G" * 65, 64)
    (True, False, False)
    """
    return (
        type(value) is str
        and type(max_length) is int
        and len(value) <= max_length
        and value.isprintable()
        and value[:1].isalnum()
        and value[0] not in _BLANK_GLYPHS
    )


def text_problem(
    value: object,
    field: str,
    *,
    max_length: int,
    allow_empty: bool = False,
    multiline: bool = False,
    printable: bool = False,
) -> FieldError | None:
    """The first rule ``value`` breaks, as a :class:`~gridcare.errors.FieldError`; ``None`` if
    it is acceptable text. Never raises for the value; its cost is linear in
    ``max_length`` at most.

    ``allow_empty`` accepts ``""`` and blanks only (an optional part);
    ``multiline`` accepts tab, CR and LF; ``printable`` refuses every other
    character that is not printable (``not_printable``: the rule of an id).
    The error holds no value: only the rule, the length or the offending
    character's code point and position.

    >>> text_problem("G1234", "number", max_length=20) is None
    True
    >>> text_problem("武\\u202e汉", "place", max_length=200).message
    'bidirectional control U+202E at position 1'
    >>> text_problem("  ", "building", max_length=20, allow_empty=True) is None
    True
    >>> text_problem("G\\u200b1", "grid_id", max_length=64, printable=True).code
    'not_printable'
    """
    if is_plain(value, max_length) and max_length <= _LIMIT_OF_LIMITS:
        return None  # the common case: printable, within the limit, starting with something seen
    if isinstance(max_length, bool) or not isinstance(max_length, int):
        raise InvalidInput("not_integer", "max_length", "expected a whole number of characters")
    if not 0 <= max_length <= _LIMIT_OF_LIMITS:
        raise InvalidInput(
            "out_of_range", "max_length", f"expected 0 to {_LIMIT_OF_LIMITS:,}", value=max_length
        )
    if not isinstance(value, str):
        if value is None and not allow_empty:
            return _problem("missing", field, "a text is required")
        return _problem("not_string", field, f"expected text, got {type(value).__name__}")
    n = len(value)
    if n > max_length:
        return _problem("too_long", field, f"at most {max_length} characters, got {n}")
    if value.isprintable():
        # No control, format, surrogate or separator character but the ASCII space.
        if value.isascii():
            if value.strip(" "):
                return None
        else:
            for ch in value:  # nearly always, the first character is seen
                if ch != " " and ch not in _BLANK_GLYPHS and _category(ch) not in _UNSEEN:
                    return None
        if not value.strip(" "):
            return None if allow_empty else _problem("missing", field, "a text is required")
        return _problem("invisible", field, "nothing visible: only invisible characters")
    return _slow_problem(value, field, allow_empty, multiline, printable)


def _slow_problem(
    value: str, field: str, allow_empty: bool, multiline: bool, printable: bool
) -> FieldError | None:
    """The rules on text holding characters that are not printable."""
    surrogate = control = bidi = hidden = None
    visible = False
    for i, ch in enumerate(value):
        if ch.isprintable():
            visible = visible or (ch != " " and _seen(ch))
            continue
        category = unicodedata.category(ch)
        if category == "Cs":
            surrogate = surrogate or _where(i, ch)
        elif category in ("Cc", "Zl", "Zp") and not (multiline and ch in _LINE_BREAKS):
            control = control or _where(i, ch)
        elif ch in _BIDI:
            bidi = bidi or _where(i, ch)
        elif printable and not (multiline and ch in _LINE_BREAKS):
            hidden = hidden or _where(i, ch)
        elif category in ("Co", "Cn"):
            visible = True  # private use (rare characters of names) and newer than this Python
    if surrogate is not None:
        return _problem("lone_surrogate", field, f"lone surrogate {surrogate}")
    if control is not None:
        return _problem("control_character", field, f"control character {control}")
    if bidi is not None:
        return _problem("bidi_control", field, f"bidirectional control {bidi}")
    if hidden is not None:
        return _problem("not_printable", field, f"character not printable {hidden}")
    if visible:
        return None
    if not value.strip():
        return None if allow_empty else _problem("missing", field, "a text is required")
    return _problem("invisible", field, "nothing visible: only invisible characters")


def check_text(
    value: object,
    field: str,
    *,
    max_length: int,
    allow_empty: bool = False,
    multiline: bool = False,
    printable: bool = False,
) -> str:
    """``value`` if it is acceptable text (:func:`text_problem`), else ``InvalidInput``.

    A ``str`` subclass comes back as a plain ``str`` of the same characters,
    so that nothing it overrides (comparison, hashing) travels on.

    >>> check_text("G12", "grid_id", max_length=TEXT_LIMITS["id"])
    'G12'
    >>> check_text("\\x00", "grid_id", max_length=TEXT_LIMITS["id"])
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: grid_id: control character U+0000 at ... [control_character]
    """
    problem = text_problem(
        value,
        field,
        max_length=max_length,
        allow_empty=allow_empty,
        multiline=multiline,
        printable=printable,
    )
    if problem is not None:
        raise InvalidInput.collect([problem])
    return _plain_str(value)


# The limits by kind, for the quick test (a plain dict: a kind that is not a text has none).
_KIND_LIMITS: dict[str, int] = dict(TEXT_LIMITS)


def _plain_str(value: object) -> str:
    """A text the rules took, as a plain ``str`` (a subclass's overrides do not travel on)."""
    assert isinstance(value, str)  # the rules took only text
    return value if type(value) is str else str.__str__(value)


def _limit_of(kind: object) -> int:
    limit = TEXT_LIMITS.get(kind) if type(kind) is str else None
    if limit is None:
        raise InvalidInput("unknown_choice", "kind", "not one of: " + ", ".join(TEXT_LIMITS))
    return limit


def kind_problem(
    value: object, field: str, kind: str = "id", *, allow_empty: bool = False
) -> FieldError | None:
    """The first rule ``value`` breaks as a text of its ``kind``; ``None`` if it keeps them.

    The one statement of what each kind of :data:`TEXT_LIMITS` asks: its
    limit; an ``"id"`` holds only printable characters (``printable``); a
    ``"note"`` may hold line breaks, the other kinds may not; ``allow_empty``
    lets an optional text be ``""``. A kind not in the table is
    ``InvalidInput`` (``unknown_choice``, field ``kind``).

    >>> kind_problem("第3采样点", "name", "place") is None
    True
    >>> kind_problem(" ", "round_id").code
    'missing'
    """
    return text_problem(
        value,
        field,
        max_length=_limit_of(kind),
        allow_empty=allow_empty,
        multiline=kind == "note",
        printable=kind == "id",
    )


def check_text_of(value: object, field: str, kind: str = "id", *, allow_empty: bool = False) -> str:
    """``value`` if it is text with the rules and limit of its ``kind`` (:func:`kind_problem`).

    For a value built by hand or read back as for a validated form; a ``str``
    subclass comes back as a plain ``str`` (:func:`check_text`). The usual
    text costs one quick test (:func:`is_plain`), so a caller need not make
    that test itself first.

    >>> check_text_of("第一行\\n第二行", "reason", "note")
    '第一行\\n第二行'
    >>> check_text_of("G\\n1", "grid_id")
    Traceback (most recent call last):
    ...
    gridcare.errors.InvalidInput: grid_id: control character U+000A at ... [control_character]
    """
    if type(kind) is str and is_plain(value, _KIND_LIMITS.get(kind, -1)):
        return value  # type: ignore[return-value]  # the usual text: is_plain found a str
    problem = kind_problem(value, field, kind, allow_empty=allow_empty)
    if problem is not None:
        raise InvalidInput.collect([problem])
    return _plain_str(value)


_first = itemgetter(0)


def plain_texts(texts: Collection[str], max_length: int) -> bool:
    """Whether every text passes the quick test (:func:`is_plain`), in passes at C speed.

    For the millions of ids of a city's lists, where a Python call per id
    would cost more than the test; ``False`` says only that some text needs
    the full rules (:func:`kind_problem`). It never raises: anything but a
    collection of texts (a ``str`` is one text, not a collection), or a limit
    that is not an ``int``, is ``False``.

    >>> plain_texts(["R1", "H2"], 64), plain_texts(["R1", " "], 64), plain_texts([], 64)
    (True, False, True)
    """
    if isinstance(texts, (str, bytes)) or not isinstance(texts, Collection):
        return False
    try:
        return not texts or (
            type(max_length) is int
            and set(map(type, texts)) == {str}
            and min(map(len, texts)) > 0
            and max(map(len, texts)) <= max_length
            and all(map(str.isprintable, texts))
            and all(map(str.isalnum, map(_first, texts)))
            and _BLANK_GLYPHS.isdisjoint(map(_first, texts))
        )
    except Exception:  # a caller's collection that fails while read holds no plain texts
        return False
