from kdc_core.calendar.values import EventKind


def test_every_event_kind_has_its_words_in_one_place() -> None:
    """Newsletters, feeds and the admin all read EventKind.label."""
    labels = {kind: kind.label for kind in EventKind}
    assert labels[EventKind.WALKABOUT] == "Ward walkabout"
    assert labels[EventKind.COUNCIL_MEETING] == "Council meeting"
    assert all(label and label[0].isupper() for label in labels.values())
    assert len(set(labels.values())) == len(labels)
