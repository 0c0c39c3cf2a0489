"""Parsing iCalendar text into icalendar's own components, faster for the common lines.

icalendar splits every content line with a character-by-character scan and builds its
parameters through a general parser; on a feed of 20,000 events that is most of the import's
time. :func:`parse_calendar` gives the same components as ``icalendar.Calendar.from_ical``
but splits the plain lines, the great majority (``NAME:value`` or ``NAME;KEY=value:value``
with no quoting, escaping, spaces or lists in the parameters), with one regular expression,
looks each property's value type up once per name rather than twice per line, and stores
a plain value on its component directly. Every other line goes through icalendar's own
content-line and property handling, and every value through icalendar's own value types,
so what is read is the same (``tests/unit/test_ics_parse.py`` compares the two).
"""

from __future__ import annotations

import re
from collections import OrderedDict
from typing import Any

import icalendar
from icalendar.parser.content_line import NEWLINE, UFOLD, Contentline
from icalendar.parser.ical.calendar import CalendarIcalParser
from icalendar.parser.parameter import Parameters
from icalendar.parser.property import unescape_backslash

#: A content line whose name and parameters need no unquoting or unescaping: the name, then
#: ``;KEY=value`` pairs whose values hold none of ``" ; : , \\ ^ %``, spaces or control
#: characters, then the value after the first colon.
_PLAIN = re.compile(
    r"([A-Za-z0-9-]+)((?:;[A-Za-z0-9-]+=[^\";:,\\^%\x00-\x20\x7f]+)*):(.*)\Z", re.DOTALL
)
#: Properties icalendar's handle_property treats specially (their values are lists, or read
#: from the whole content line).
_SPECIAL = ("CATEGORIES", "FREEBUSY", "RDATE")


class _Parser(CalendarIcalParser):
    """icalendar's calendar parser with a fast path for plain lines (see the module)."""

    def initialize_parsing(self) -> None:
        self._stack = []
        self._components = []
        data: Any = self._data
        if not isinstance(data, list):  # plain strings: a Contentline only where needed
            text = data if isinstance(data, str) else data.decode()
            data = [line for line in NEWLINE.split(UFOLD.sub("", text)) if line]
        self._data = self._content_lines = data
        self._content_lines_iterator = iter(data)
        self._factories: dict[tuple[str, Any], Any] = {}

    def parse_content_lines(self) -> None:
        plain = _PLAIN.match
        for text in self._content_lines_iterator:
            found = plain(text)
            line: Any = text
            if found is None:
                line = Contentline(text)
                try:
                    name, params, vals = line.parts()
                except ValueError as exc:
                    self.handle_line_parse_error(exc)
                    continue
            else:
                name, raw, vals = found.groups()
                params = (
                    Parameters(pair.split("=", 1) for pair in raw[1:].split(";"))
                    if raw
                    else Parameters()
                )
                if "\\" in vals:
                    vals = unescape_backslash(vals)
            uname = name.upper()
            if uname == "BEGIN":
                self.handle_begin_component(vals)
            elif uname == "END":
                self.handle_end_component(vals)
            elif found is not None and self._plain_value(uname, params):
                # what handle_property does for such a value, without its detours
                tzid = params.get("TZID") if params and uname in self.datetime_names else None
                self.parse_and_add_property(uname, params, vals, tzid, line)
            else:
                whole = line if isinstance(line, Contentline) else Contentline(line)
                self.handle_property(uname, params, vals, whole)

    def _plain_value(self, name: str, params: Parameters) -> bool:
        """Inside a component, not a property handle_property treats specially, and a
        value read from the value alone (not from the whole content line)."""
        factory = self.get_factory_for_property(name, params)
        return (
            bool(self._stack)
            and name not in _SPECIAL
            and not hasattr(factory, "get_value_from_content_line")
        )

    def parse_and_add_property(
        self, name: str, params: Parameters, val: str, tzid: str | None, line: Any
    ) -> None:
        factory = self.get_factory_for_property(name, params)
        try:
            parsed = factory.from_ical(val, tzid) if tzid else factory.from_ical(val)
        except (ValueError, TypeError) as exc:
            self.handle_property_parse_error(exc, name, params, val, line)
            return
        value = factory(parsed)
        value.params = params
        component = self._stack[-1]
        if OrderedDict.__contains__(component, name):  # a repeated property: a list, as add() makes
            component.add(name, value, encode=False)
        else:  # the name is upper case already, as the component stores its keys
            OrderedDict.__setitem__(component, name, value)

    def get_factory_for_property(self, name: str, params: Parameters) -> Any:
        key = (name, params.value if params else None)
        factory = self._factories.get(key)
        if factory is None:
            factory = self._factories[key] = self._types_factory.for_property(*key)
        return factory


class _Calendar(icalendar.Calendar):
    @classmethod
    def _get_ical_parser(cls, st: str | bytes) -> CalendarIcalParser:
        return _Parser(st, cls._get_component_factory(), cls.types_factory)


def parse_calendar(text: str) -> icalendar.Component:
    """What ``icalendar.Calendar.from_ical(text)`` gives, read faster.

    :raises ValueError: as icalendar raises it, for text that is not one iCalendar object.
    """
    return _Calendar.from_ical(text)
