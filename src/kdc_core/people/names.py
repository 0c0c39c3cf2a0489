"""A person's name held as one string, split into its parts for formats that want them.

Councillors' names come from ModernGov as one string ("Ann Lee", "Dr Mary-Jane van der
Berg MBE"); a vCard's ``N`` and a sort order want family and given names apart. The split
is a best guess for British names, made the same way every time:

- leading titles (``Cllr``, ``Dr``, ``Mrs`` …) are prefixes and trailing honours or
  post-nominals (``MBE``, ``JP``, ``PhD`` …, with or without a comma) are suffixes;
- the family name is the last word, or starts at the first lower-case particle after the
  first word (``van der Berg``, ``de la Cruz``, ``al Hassan``);
- the first word is the given name and any words between are additional names;
- a single word is a family name.
"""

from __future__ import annotations

import attrs

# Word lists are written as one string each, split once, to keep them readable.
#: Titles that may open a name (compared without case or a trailing full stop).
PREFIXES = frozenset(
    "cllr councillor dr mr mrs ms miss mx prof professor sir dame lord lady rev revd".split()  # noqa: SIM905
)
#: Honours and post-nominals that may close a name (compared without case or full stops).
SUFFIXES = frozenset(
    "mbe obe cbe kbe dbe bem jp dl mp mep kc qc phd md frcs frics jr sr ii iii".split()  # noqa: SIM905
)
#: Lower-case words that begin a family name when they follow the given name.
PARTICLES = frozenset(
    "al ap bin binti bint da das de del della der di dos du el la le st ten ter van von".split()  # noqa: SIM905
)


@attrs.frozen
class NameParts:
    """A name in the five parts of a vCard ``N`` (RFC 6350 §6.2.2), each possibly empty."""

    family: str
    given: str = ""
    additional: str = ""
    prefix: str = ""
    suffix: str = ""


def _bare(word: str) -> str:
    return word.strip(",").replace(".", "").lower()


def split_name(full_name: str) -> NameParts:
    """Split ``full_name`` into family, given and additional names, prefixes and suffixes.

    >>> split_name("Ann Lee")
    NameParts(family='Lee', given='Ann', additional='', prefix='', suffix='')
    >>> split_name("Dr Mary Jane van der Berg, MBE")
    NameParts(family='van der Berg', given='Mary', additional='Jane', prefix='Dr', suffix='MBE')
    """
    words = full_name.split()
    prefixes: list[str] = []
    suffixes: list[str] = []
    while len(words) > 1 and _bare(words[0]) in PREFIXES:
        prefixes.append(words.pop(0))
    while len(words) > 1 and _bare(words[-1]) in SUFFIXES:
        suffixes.insert(0, words.pop().strip(","))
    if words:
        words[-1] = words[-1].rstrip(",")
    if len(words) <= 1:
        return NameParts(
            family="".join(words), prefix=" ".join(prefixes), suffix=" ".join(suffixes)
        )
    start = next(
        (i for i in range(1, len(words) - 1) if words[i] in PARTICLES),
        len(words) - 1,
    )
    return NameParts(
        family=" ".join(words[start:]),
        given=words[0],
        additional=" ".join(words[1:start]),
        prefix=" ".join(prefixes),
        suffix=" ".join(suffixes),
    )
