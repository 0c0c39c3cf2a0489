"""How the site writes times, dates and images: GOV.UK style, in the council's time zone
(the words are the core's, :mod:`kdc_core.timewords`).

Template filters, registered on the app by the blueprint:

- ``when``: ``Tuesday 3 March 2027, 6:00pm`` (an aware datetime, shown in the council's zone)
- ``time_of_day``: ``6:00pm``
- ``long_date``: ``3 March 2027`` (a date or datetime)
- ``govuk_date``: ``Tuesday 3 March 2027``; ``govuk_time``: ``Tuesday 3 March 2027, 6:00pm``
  (both empty for ``None``; a naive datetime is read as UTC, as stored)
- ``on_site_image``: the address of an image this site may show, or ``None``. The
  Content-Security-Policy lets pages load images only from this site, so a story's picture
  kept elsewhere is left out rather than shown as a broken image. (Councillors' photos are
  copied here and served by the site itself: :mod:`kdc_core.people.photos`.)
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from flask.sansio.app import App

from kdc_core.timewords import clock_time, govuk_date, govuk_time, long_date, time_of_day

#: ``Tuesday 3 March 2027, 6:00pm`` in ``tz`` (the core's :func:`~kdc_core.timewords.clock_time`).
when = clock_time


def on_site_image(url: str | None, base_url: str) -> str | None:
    """``url`` when it is a path on this site or under ``base_url``; otherwise ``None``."""
    if not url:
        return None
    url = url.strip()
    if url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return url
    here, there = urlsplit(base_url), urlsplit(url)
    if there.scheme in ("http", "https") and (there.scheme, there.netloc) == (
        here.scheme,
        here.netloc,
    ):
        return url
    return None


def register_filters(app: App, tz: dt.tzinfo, base_url: str) -> None:
    app.jinja_env.filters.update(
        when=lambda moment: when(moment, tz),
        time_of_day=lambda moment: time_of_day(moment, tz),
        long_date=lambda day: long_date(day, tz),
        on_site_image=lambda url: on_site_image(url, base_url),
        govuk_date=lambda value: govuk_date(value, tz),
        govuk_time=lambda value: govuk_time(value, tz),
    )
