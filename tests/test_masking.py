"""Masking never shows more than the masked form (docs/design.md, "Privacy")."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from gridcare.codes import CitizenId, PhoneNumber
from gridcare.masking import (
    NOT_TEXT,
    PROVINCE_CODES,
    REVEAL,
    mask_address,
    mask_id_number,
    mask_name,
    mask_numbers,
    mask_phone,
    mask_text,
    masked_repr,
    reveal_requested,
)
from gridcare.testing.strategies import citizen_ids, phone_numbers

# Text without "*" so that every visible character is one of the input's.
plain_text = st.text(st.characters(exclude_characters="*", codec="utf-8"), max_size=30)


def visible_runs(masked: str) -> list[str]:
    return [run for run in re.split(r"\*+", masked) if run]


def assert_shows_at_most(masked: str, text: str, head: int, tail: int) -> None:
    """``masked`` is ``text`` with everything but ``head`` first and ``tail`` last characters
    replaced by stars, and never longer."""
    assert len(masked) == len(text)
    shown_head = masked[:head]
    shown_tail = masked[len(masked) - tail :] if tail else ""
    middle = masked[head : len(masked) - tail]
    assert set(middle) <= {"*"}
    assert shown_head == text[:head]
    assert shown_tail == (text[len(text) - tail :] if tail else "")
    assert sum(len(run) for run in visible_runs(masked)) <= head + tail


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("", ""),
        ("刘", "*"),
        ("刘娟", "刘*"),
        ("刘晓娟", "刘*娟"),
        ("欧阳晓娟", "欧**娟"),
        (" 刘娟 ", "刘*"),
    ],
)
def test_name_examples(name: str, masked: str) -> None:
    assert mask_name(name) == masked


@given(plain_text)
def test_names_show_at_most_first_and_last(name: str) -> None:
    text = name.strip()
    n = len(text)
    head, tail = (0, 0) if n <= 1 else (1, 0) if n == 2 else (1, 1)
    assert_shows_at_most(mask_name(name), text, head, tail)


@given(plain_text)
def test_id_numbers_show_at_most_six_and_four(number: str) -> None:
    text = number.strip()
    n = len(text)
    head, tail = (6, 4) if n >= 15 else (2, 2) if n > 4 else (0, 0)
    assert_shows_at_most(mask_id_number(number), text, head, tail)


@given(plain_text)
def test_phones_show_at_most_three_and_four(number: str) -> None:
    text = number.strip()
    head, tail = (3, 4) if len(text) >= 8 else (0, 0)
    assert_shows_at_most(mask_phone(number), text, head, tail)


@given(plain_text)
def test_free_text_shows_at_most_two(text: str) -> None:
    masked = mask_text(text)
    stripped = text.strip()
    assert masked.startswith(stripped[:2] if len(stripped) > 2 else "")
    assert sum(len(run) for run in visible_runs(masked)) <= 2


def test_a_first_generation_id_number_of_15_digits_keeps_its_area() -> None:
    # ID numbers issued before 1999 have 15 digits: they are masked as ID numbers (area and
    # last 4 kept); anything shorter keeps only its first and last two characters.
    assert mask_id_number("430202390307002") == "430202*****7002"
    assert mask_id_number("43020239030700") == "43**********00"


def test_a_text_of_two_characters_or_fewer_shows_none() -> None:
    # A two-character name (张三) would be whole if its first two characters were kept.
    assert (mask_text("张三"), mask_text(" 李 "), mask_text("王")) == ("**", "*", "*")


@given(st.lists(st.text(min_size=1, max_size=5), max_size=8), st.integers(0, 8))
def test_addresses_hide_every_part_after_the_community(parts: list[str], keep: int) -> None:
    masked = mask_address(parts, keep)
    shown = mask_numbers("".join(parts[:keep]))  # the parts kept, their numbers masked
    assert masked.startswith(shown)
    assert masked[len(shown) :] in ("", "***")
    assert (masked[len(shown) :] == "***") == (len(parts) > keep)


@given(phone_numbers(allocated=None), st.integers(1, 3))
def test_a_number_typed_into_a_kept_part_of_an_address_is_masked(
    phone: PhoneNumber, where: int
) -> None:
    parts = ["天元区", "嵩山街道", "大塘社区", "3栋", "301"]
    parts[where - 1] += phone.number
    assert phone.number not in mask_address(parts, keep=3)


@given(citizen_ids())
def test_an_id_masks_its_birth_date_and_sequence(cid: CitizenId) -> None:
    number = cid.number
    for shown in (str(cid), repr(cid), cid.masked()):
        assert number[6:14] not in shown.replace(number[:6], "", 1)
        assert shown.count("*") == 8


@given(phone_numbers(allocated=None))
def test_a_phone_masks_its_middle(phone: PhoneNumber) -> None:
    number = phone.number
    for shown in (str(phone), repr(phone)):
        assert number not in shown
        assert "****" in shown


_SEPARATOR = (
    "[.\\-\\s\\x00-\\x1f\\x7f-\\x9f\\u00ad\\u061c\\u180e\\u200b-\\u200f"
    "\\u2028-\\u202e\\u2060-\\u206f\\ufeff]"
)


def long_digit_runs(text: str) -> list[str]:
    """Runs of digits (any script, an ID number's final X included) that show a phone
    number (11 digits) or an ID number (12 characters and more); 12 bare ASCII digits are a
    village's code. Groups of digits joined by one to three separators are one run: dots,
    hyphens, spaces and line breaks (``138 1234 5678``), and characters that draw nothing
    (controls, zero-width and bidirectional format characters). A star is a digit already
    masked: it joins a run but shows nothing. A run with a star in it shows no number when
    each of its groups shows fewer than 11 digits (a date beside a masked phone)."""
    runs = re.findall(rf"(?<![\d*])[\d*]+(?:{_SEPARATOR}{{1,3}}[\d*]+)*[Xx]?", text)

    def shown(part: str) -> int:
        return sum(ch.isdigit() for ch in part)

    def shows_a_number(run: str) -> bool:
        if shown(run) < 11 or (len(run) == 12 and run.isascii() and run.isdigit()):
            return False
        groups = re.split(f"{_SEPARATOR}+", run)
        return "*" not in run or any(shown(group) >= 11 for group in groups)

    return [r for r in runs if shows_a_number(r)]


# Text rich in digits and in the characters that sit around numbers.
numeric_text = st.text(st.sampled_from("0123456789Xx -+*.\n٠١٢３a汉"), max_size=60)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("", ""),
        ("430211001001-B12", "430211001001-B12"),
        ("13812345678", "138****5678"),
        ("a13812345678b", "a138****5678b"),
        ("11010519491231002X", "110105********002X"),
        ("11010519491231002x-YL", "110105********002x-YL"),
        ("1381234567", "1381234567"),
        ("1101051949123100", "110105******3100"),
        ("13812345678X", "13********8X"),
        ("430211001001X", "43*********1X"),
        ("+86 138 1234 5678", "+86 1** **** 5678"),
        ("138-1234-5678.", "138-****-5678."),
        ("2022-03-27 10", "2022-03-27 10"),
        ("0000000000X", "0000000000X"),
        # A date before a phone number stays; the 12-character runs end in x or X.
        ("20220327-13812345678", "20220327-138****5678"),
        ("13812345678x", "13********8x"),
        ("110105 19491231002x", "110105 ********002x"),
        ("110105 19491231002X", "110105 ********002X"),
        ("1381234567x 5", "1381234567x 5"),
        # Twelve digits are a village's code only in ASCII: a phone beside another script's
        # digit is masked.
        ("13812345678\u0dee", "13********8\u0dee"),
        ("\uff11" + "3812345678" + "9", "\uff11" + "3********89"),
        # A star is a digit already masked: it joins the run, and masking again changes nothing.
        ("138*12345678", "13********78"),
        ("138****5678.2022-03-20", "138****5678.2022-03-20"),
        ("13812345678.2022-03-20", "138****5678.2022-03-20"),
        ("٤٣٠٢١١٠٠١٠٠١", "٤٣********٠١"),
    ],
)
def test_mask_numbers_examples(text: str, masked: str) -> None:
    assert mask_numbers(text) == masked


@given(st.one_of(numeric_text, plain_text))
def test_mask_numbers_leaves_no_phone_or_id_number(text: str) -> None:
    masked = mask_numbers(text)
    assert long_digit_runs(masked) == []
    assert len(masked) == len(text)
    if not long_digit_runs(text) and "*" not in text:
        # (A star is read as a digit already masked, so digits around one may be masked
        # where no number shows.)
        assert masked == text


# A phone number with digits, stars and separators around it: where a second masking may read
# the first one's stars and the digits beside them differently.
_PHONE_THEN_MORE = st.builds(
    "".join,
    st.lists(
        st.one_of(
            st.from_regex(r"\A1[3-9][0-9]{9}\Z"),
            st.text(st.sampled_from("0123456789*"), min_size=1, max_size=8),
            st.sampled_from([".", "-", " ", "\u200b", "\x0f", "X"]),
        ),
        min_size=2,
        max_size=8,
    ),
)


@given(st.one_of(numeric_text, _PHONE_THEN_MORE, plain_text))
@example("13812345678.2022-03-20")
@example("130000000000\x0f0")
def test_masking_a_masked_text_changes_nothing(text: str) -> None:
    """Errors mask what they are given, and an error built from another masks it again: the
    second time must show the same (a masked phone before a date stayed whole once, and the
    date was masked the second time)."""
    once = mask_numbers(text)
    assert mask_numbers(once) == once


@given(
    st.text(st.sampled_from("0123456789"), min_size=11, max_size=11),
    st.text(st.sampled_from("٠١٢３\u0dee\u0967"), min_size=1, max_size=3),
    st.booleans(),
)
def test_a_phone_number_beside_digits_of_another_script_is_masked(
    number: str, other: str, before: bool
) -> None:
    """Digits of any script make one run with it, and only twelve ASCII digits are a code."""
    text = other + number if before else number + other
    assert number not in mask_numbers(text)


@given(st.text(st.sampled_from("0123456789"), min_size=11, max_size=11), plain_text)
def test_mask_numbers_masks_a_phone_number_as_a_phone(number: str, after: str) -> None:
    assert mask_numbers(f"{number} {after}").startswith(mask_phone(number) + " ")


# ---------------------------------------------------------------- numbers split by wider marks

# The marks people also type inside a number, which figures and instants use too.
_WIDE_MARKS = (
    "/\\_,;:+()[]<>|~'\"#·，、；：＋（）【】《》〈〉「」『』－—–‐‑‒―～｜・．。＃ .-\u200b"
    "／＼＿［］＜＞＇＂−﹣"
)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("(138)1234-5678", "(138)****-5678"),
        ("138/1234/5678", "138/****/5678"),
        ("138_1234_5678", "138_****_5678"),
        ("138，1234，5678", "138，****，5678"),
        ("（+86）138-1234-5678", "（+86）138-****-5678"),
        ("+86 138 1234 5678, 2022-03-27", "+86 1** **** 5678, 2022-03-27"),
        ("13812345678, 2022-03-27", "138****5678, 2022-03-27"),
        ("138 1234 / 5678 号", "138 **** / 5678 号"),
        # Four spaces or more are no longer one run's separators: the shape decides.
        ("138 1234     5678", "138 ****     5678"),
        ("430202/19900101/1234", "430202/********/1234"),
        ("430202_19900101_123X", "430202_********_123X"),
        ("43020219900101123 : X", "430202********123 : X"),
        # Superscript and full-width digits, and a character that draws nothing.
        ("\u00b9\u00b3\u2078/\u00b9\u00b2\u00b3\u2074/\u2075\u2076\u2077\u2078",
         "\u00b9\u00b3\u2078/****/\u2075\u2076\u2077\u2078"),
        ("１３８/１２３４/５６７８", "１３８/****/５６７８"),
        ("138／1234／5678", "138／****／5678"),
        ("138−1234−5678", "138−****−5678"),
        ("138﹣1234﹣5678", "138﹣****﹣5678"),
        ("430211＿19900101＿0022", "430211＿********＿0022"),
        ("138\u034f12345678", "138\u034f****5678"),
        # Figures and instants joined by the same marks have no number's shape: kept.
        ("7,178 (+882) 90.30%", "7,178 (+882) 90.30%"),
        ("13,812 (+345) 67.80%", "13,812 (+345) 67.80%"),
        ("2022-03-27T08:00:00+08:00", "2022-03-27T08:00:00+08:00"),
        ("2022-03-27 08:00:00, 2022-03-28 08:00:00", "2022-03-27 08:00:00, 2022-03-28 08:00:00"),
        ("datetime(2022, 3, 27, 8, 0, 15, 123456)", "datetime(2022, 3, 27, 8, 0, 15, 123456)"),
        ("(238)1234-5678", "(238)1234-5678"),
        ("(128)1234-5678", "(128)1234-5678"),
        ("990202/19900101/1234", "990202/19900101/1234"),
        ("430202/19900101/12X4", "430202/19900101/12X4"),
        ("430202/2990010/1234", "430202/2990010/1234"),
        # An error shows a character that does not print as its code point between braces:
        # those digits join no others.
        ("\\u{36680}0130000000", "\\u{36680}0130000000"),
    ],
)  # fmt: skip
def test_numbers_split_by_wider_marks(text: str, masked: str) -> None:
    assert mask_numbers(text) == masked
    assert mask_numbers(masked) == masked


def _split(number: str, cuts: list[int], marks: list[str]) -> str:
    """``number`` cut before each position in ``cuts``, a mark between the pieces."""
    pieces, last = [], 0
    for cut in sorted({c for c in cuts if 0 < c < len(number)}):
        pieces.append(number[last:cut])
        last = cut
    pieces.append(number[last:])
    out = pieces[0]
    for k, piece in enumerate(pieces[1:]):
        out += marks[k % len(marks)] + piece
    return out


_NUMBER_IN_PIECES = st.tuples(
    st.one_of(
        st.from_regex(r"\A1[3-9][0-9]{9}\Z"),
        citizen_ids().map(lambda cid: cid.number),
    ),
    st.lists(st.integers(1, 17), max_size=6),
    st.lists(st.text(st.sampled_from(_WIDE_MARKS), min_size=1, max_size=8), min_size=1, max_size=3),
    st.text(st.sampled_from("电话号码身份证 abc：(（"), max_size=6),
    st.text(st.sampled_from("号 abc)）。"), max_size=6),
)


@given(_NUMBER_IN_PIECES)
@example(("13812345678", [3, 7], ["/"], "", ""))
@example(("430202199001011234", [6, 14], ["     "], "id ", ""))
@example(("23000119110206240X", [17], [":"], "", ""))
def test_a_number_cut_by_any_marks_is_masked(
    case: tuple[str, list[int], list[str], str, str],
) -> None:
    """A phone or ID number cut into pieces (three at most for a phone, six for an ID
    number) by any marks people type shows its middle digits
    starred (a phone's 4th to 7th; an ID number's birth date and sequence, where a piece of
    11 digits or more cut from inside the area may keep the century's digit), and masking
    again changes nothing."""
    number, cuts, marks, before, after = case
    # People type a mobile in at most three pieces and an ID number in at most six: more
    # pieces read as figures and instants ("15,000,000,000", "13 15:30:45,123").
    cuts = sorted({c for c in cuts if 0 < c < len(number)})[: 2 if len(number) == 11 else 5]
    split = _split(number, cuts, marks)
    masked = mask_numbers(before + split + after)
    in_number = masked[len(before) : len(before) + len(split)]
    digits = [ch for ch in in_number if ch.isdigit() or ch in "Xx*"]
    assert len(digits) == len(number)
    hidden = digits[3:7] if len(number) == 11 else digits[7:14]
    assert set(hidden) == {"*"}, (split, in_number)
    assert mask_numbers(masked) == masked
    assert len(masked) == len(before + split + after)


# Text rich in digits, stars and the wider marks: where a second masking may read differently.
wide_numeric_text = st.text(st.sampled_from("0123456789134X*/(),:+_ ，（）-."), max_size=60)


@given(wide_numeric_text)
@example("13812345678, 2022, 123")
def test_masking_a_text_with_wider_marks_twice_is_masking_it_once(text: str) -> None:
    once = mask_numbers(text)
    assert mask_numbers(once) == once
    assert len(once) == len(text)


def _shapes_of_a_number(text: str) -> bool:
    """Whether digits of ``text`` joined by the wider marks could read as a mobile or an ID
    number: every stretch of digit groups, with the final X of the text's last group."""
    groups = re.findall(r"[0-9]+[Xx]?", text)
    for i in range(len(groups)):
        digits = ""
        for group in groups[i:]:
            digits += group
            if len(digits) == 11 and re.fullmatch(r"1[3-9][0-9]{9}", digits):
                return True
            if len(digits) == 18 and digits[:2] in PROVINCE_CODES:
                return True
    return False


@given(st.text(st.sampled_from("0123456789/(),:+_ ，（）-."), max_size=40))
def test_digits_with_no_number_s_shape_are_kept(text: str) -> None:
    """A text whose digits, read across any marks, show no mobile or ID number and no run of
    11 digits, is kept as it is: figures, instants and codes stay readable."""
    if not long_digit_runs(text) and not _shapes_of_a_number(text):
        assert mask_numbers(text) == text


def test_reveal_context() -> None:
    assert reveal_requested(REVEAL)
    assert not reveal_requested(None)
    assert not reveal_requested({})
    assert not reveal_requested({"reveal_personal_data": "yes"})
    assert not reveal_requested([("reveal_personal_data", True)])


@pytest.mark.parametrize("value", [None, 13812345678, ["13812345678"], b"13812345678", 2.5])
def test_masking_never_fails_and_never_reveals(value: object) -> None:
    for mask in (mask_name, mask_id_number, mask_phone, mask_numbers, mask_text):
        assert mask(value) == NOT_TEXT  # type: ignore[arg-type]
    if not isinstance(value, list):
        assert mask_address(value, 3) == NOT_TEXT  # type: ignore[arg-type]
    if not isinstance(value, int):
        assert mask_address(["天元区", "3栋"], value) == NOT_TEXT  # type: ignore[arg-type]
    assert mask_address([value], 0) == NOT_TEXT  # type: ignore[list-item]


# ---------------------------------------------------------------------------- masked_repr

_NO_DIGITS = st.text(alphabet=st.characters(blacklist_categories=("Nd", "No", "Cs")), max_size=6)


def _nested(depth: int) -> st.SearchStrategy[object]:
    """Texts without digits in tuples, lists and dicts, at most ``depth`` containers deep."""
    if depth == 0:
        return _NO_DIGITS | st.integers(-5, 5) | st.none()
    inner = _nested(depth - 1)
    return (
        _NO_DIGITS
        | st.tuples(inner)
        | st.lists(inner, max_size=3).map(tuple)
        | st.lists(inner, max_size=3)
        | st.dictionaries(_NO_DIGITS, inner, max_size=3)
    )


@given(_nested(8))
def test_masked_repr_is_repr_where_there_is_nothing_to_mask(value: object) -> None:
    # Without a digit in it and at most eight containers deep, a value shows as repr shows it:
    # masking changes only the numbers, never the form.
    assert masked_repr(value) == repr(value)


@pytest.mark.parametrize(
    ("wrap", "show"),
    [(lambda v: [v], "[...]"), (lambda v: (v,), "(...)"), (lambda v: {"k": v}, "{...}")],
)
def test_masked_repr_shows_eight_levels_and_cuts_the_ninth(
    wrap: Callable[[object], object], show: str
) -> None:
    value: object = "x"
    for _ in range(8):
        value = wrap(value)
    assert masked_repr(value) == repr(value)  # eight containers: all of it
    deeper = wrap(value)
    assert masked_repr(deeper) != repr(deeper)
    assert masked_repr(deeper).count(show) == 1  # the ninth is cut, once
    assert masked_repr(deeper) == repr(deeper).replace(repr(wrap("x")), show)


@given(
    phone=phone_numbers(allocated=None),
    at=st.integers(1, 10),
    split=st.sampled_from(["\u200b", "\u2060", "\x00", "\u202e", " ", "-"]),
)
def test_masked_repr_masks_a_number_split_by_what_repr_escapes(
    phone: PhoneNumber, at: int, split: str
) -> None:
    # Text is masked before it is quoted: quoting first would turn an invisible character
    # into an escape (\u200b) whose letters split the number out of the mask's sight.
    digits = phone.number
    text = digits[:at] + split + digits[at:]
    for value in (text, (text,), [text], {text: text}):
        shown = masked_repr(value)
        assert digits[at:] not in shown or len(digits[at:]) <= 4
        assert digits not in shown.replace(split, "")


def test_masked_repr_never_raises_on_a_value_whose_repr_fails() -> None:
    class Broken:
        def __repr__(self) -> str:
            raise RuntimeError("no repr")

    assert masked_repr(Broken()) == "'***'"
    assert masked_repr([Broken()]) == "'***'"


def test_masked_repr_counts_a_dict_key_s_containers_like_its_value_s() -> None:
    key: object = "x"
    for _ in range(7):
        key = (key,)
    value = {key: 0}  # a dict and seven tuples: eight containers
    assert masked_repr(value) == repr(value)
    deeper = {(key,): 0}  # nine: the innermost tuple is cut
    assert masked_repr(deeper) == repr(deeper).replace("('x',)", "(...)")


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # Two mobiles side by side have an ID number's length: each is masked as a mobile.
        ("tel: 138/1234/5678, 139/8765/4321", "tel: 138/****/5678, 139/****/4321"),
        # An ID number that begins with a mobile's digits stays an ID number.
        ("1:3000020000:1010004", "1:30000*****:***0004"),
        ("+86138/1234/5678", "+86138/****/5678"),
        ("138/1234/5678x", "138/****/*678x"),
        ("138〜1234〜5678", "138〜****〜5678"),
        ("138" + " " * 9 + "1234" + " " * 9 + "5678", "138" + " " * 9 + "****" + " " * 9 + "5678"),
        ("138\ue00012345678", "138\ue000****5678"),
        # Figures and instants in more pieces than a number is typed in stay readable.
        ("15,000,000,000", "15,000,000,000"),
        ("2022-03-13 15:30:45,123", "2022-03-13 15:30:45,123"),
        ("2022-03-17 08:00:00.000", "2022-03-17 08:00:00.000"),
        ("13/3/2022 10:30", "13/3/2022 10:30"),
        ("1,303 / 1,482 (88.0%)", "1,303 / 1,482 (88.0%)"),
    ],
)
def test_numbers_and_figures_the_second_probe_found(text: str, masked: str) -> None:
    assert mask_numbers(text) == masked
    assert mask_numbers(masked) == masked
