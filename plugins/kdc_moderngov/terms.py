"""Terms of office as councils really publish them: open-ended, and not always consistent.

A sitting councillor's current term is written ``<enddate>unspecified</enddate>`` (or with an
empty or missing end date). Older records can hold terms that end before they start, repeat,
or overlap. None of that is a reason to refuse the answer: :func:`tidy_terms` keeps what makes
sense and says, for every term it leaves out or takes as it is, why.
"""

from __future__ import annotations

from collections.abc import Iterable

from kdc_core.people.values import TermOfOffice

#: End-date words that mean "no end yet" (compared case-insensitively).
OPEN_END_WORDS = frozenset({"unspecified"})


def is_open_end(text: str | None) -> bool:
    """A missing, empty or ``unspecified`` end date: the term has not ended."""
    return text is None or not text.strip() or text.strip().casefold() in OPEN_END_WORDS


def describe_term(term: TermOfOffice) -> str:
    """``from 06/05/2021 to 02/05/2027`` or ``from 02/05/2024 (no end date)``, in the
    day-first form the source uses, so the warning can be matched with the answer."""
    start = f"from {term.start:%d/%m/%Y}"
    return f"{start} to {term.end:%d/%m/%Y}" if term.end else f"{start} (no end date)"


def _within(inner: TermOfOffice, outer: TermOfOffice) -> bool:
    if inner.start < outer.start:
        return False
    if outer.end is None:
        return True
    return inner.end is not None and inner.end <= outer.end


def _overlap(a: TermOfOffice, b: TermOfOffice) -> bool:
    """More than a shared day: one term ending on the day the next begins (election day) is
    how councils write consecutive terms."""
    return (a.end is None or b.start < a.end) and (b.end is None or a.start < b.end)


def tidy_terms(
    terms: Iterable[tuple[str, TermOfOffice]],
) -> tuple[list[TermOfOffice], list[str]]:
    """The terms worth keeping, and a warning for each one left out or taken as it is.

    ``terms`` are (label, term) pairs in document order; the label names the term in warnings
    (``term of office #2 (line 57)``).

    - a term that ends before it starts is left out;
    - a term that repeats an earlier one is kept once;
    - a term that lies wholly within another is left out (the longer one says it all);
    - a term that partly overlaps another is kept as the source has it, with a warning.

    :returns: (kept terms in document order, warnings in document order).
    """
    kept: list[tuple[str, TermOfOffice]] = []
    warnings: list[str] = []
    for label, term in terms:
        name = f"{label} {describe_term(term)}"
        if term.end is not None and term.end < term.start:
            warnings.append(f"{name} ends before it starts; left out")
            continue
        same = next((other for other in kept if other[1] == term), None)
        if same is not None:
            warnings.append(f"{name} repeats {same[0]}; imported once")
            continue
        outer = next((other for other in kept if _within(term, other[1])), None)
        if outer is not None:
            warnings.append(f"{name} lies within {outer[0]} {describe_term(outer[1])}; left out")
            continue
        for other in [other for other in kept if _within(other[1], term)]:
            warnings.append(f"{other[0]} {describe_term(other[1])} lies within {name}; left out")
            kept.remove(other)
        for other in kept:
            if _overlap(term, other[1]):
                warnings.append(
                    f"{name} overlaps {other[0]} {describe_term(other[1])}; "
                    "imported as the source has it"
                )
        kept.append((label, term))
    return [term for _, term in kept], warnings
