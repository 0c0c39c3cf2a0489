"""Frozen values shared by everything that mails councillors: the topic menu and recipients."""

from __future__ import annotations

import attrs

from kdc_core.errors import KdcError

#: The menu of opportunities: topic name → what a councillor gets for it.
TOPICS: dict[str, str] = {
    "newsletter": "The monthly ward newsletter",
    "ward_events": "Ward events: walkabouts, open days, meetings",
    "staff_changes": "Officers joining or leaving the ward's services",
    "contacts": "The ward's named contacts",
    "briefings": "Ward briefings",
    "roadworks": "Roadworks briefings",
    "planning": "Planning briefings",
    "success_stories": "Success stories",
    "service_spotlight": "Service spotlight",
    "enquiry_digest": "Enquiry figures for the ward",
}


def check_topic(topic: str) -> str:
    if topic not in TOPICS:
        raise KdcError(f"unknown topic {topic!r} (topics: {', '.join(TOPICS)})")
    return topic


@attrs.frozen
class Recipient:
    """A ward councillor, their addresses and the topics they receive."""

    councillor_id: int
    name: str
    email: str | None
    mobile: str | None
    group: str | None
    topics: frozenset[str]
    sms_topics: frozenset[str] = frozenset()
