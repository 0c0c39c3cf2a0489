"""``kdc feeds url`` and ``kdc feeds rotate``: private calendar-feed addresses.

kdc keeps only a SHA-256 digest of each feed token, so a feed address can be printed once,
when its token is issued. ``kdc feeds url`` issues one for a person who has none; for a
person who already has one it says so and stops, because showing an address again means
issuing a new token, which breaks the old address: ask for that with ``--rotate`` (or
``kdc feeds rotate``).
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import click

from kdc_core.app import Kdc
from kdc_core.calendar import feed_tokens
from kdc_core.calendar.feed_tokens import FeedOwner, IssuedToken, OwnerKind
from kdc_core.cli import echo_json, pass_kdc
from kdc_core.errors import KdcError
from kdc_core.timewords import plain_moment
from kdc_core.unit_of_work import UnitOfWork

_PATHS = {OwnerKind.COUNCILLOR: "councillors", OwnerKind.OFFICER: "officers"}


class FeedAlreadyIssued(KdcError):
    """The person has a feed address already, and it cannot be shown again."""


def feed_urls(base_url: str, owner: FeedOwner, token: str) -> tuple[str, str]:
    """The feed's web address (the base URL's scheme, https in production) and webcal one."""
    url = f"{base_url.rstrip('/')}/feeds/{_PATHS[owner.kind]}/{token}.ics"
    parts = urlsplit(url)
    return url, urlunsplit(("webcal", *parts[1:]))


def _owner(uow: UnitOfWork, councillor: str | None, officer: str | None) -> FeedOwner:
    if (councillor is None) == (officer is None):
        raise click.UsageError("give exactly one of --councillor NAME or --officer ID_OR_NAME")
    if councillor is not None:
        return feed_tokens.find_councillor(uow, councillor)
    assert officer is not None
    return feed_tokens.find_officer(uow, officer)


def _label(owner: FeedOwner) -> str:
    return f"Cllr {owner.name}" if owner.kind is OwnerKind.COUNCILLOR else owner.name


def _option(owner: FeedOwner, councillor: str | None, officer: str | None) -> str:
    if owner.kind is OwnerKind.COUNCILLOR:
        return f'--councillor "{councillor}"'
    return f'--officer "{officer}"'


def _show(kdc: Kdc, issued: IssuedToken, as_json: bool) -> None:
    web, webcal = feed_urls(kdc.settings.base_url, issued.owner, issued.token)
    if as_json:
        echo_json(
            {
                "owner": {
                    "kind": issued.owner.kind.value,
                    "id": issued.owner.id,
                    "name": issued.owner.name,
                },
                "url": web,
                "webcal": webcal,
                "issued_at": issued.created_at.isoformat(),
                "revoked_previous": issued.revoked,
            }
        )
        return
    click.echo(f"Calendar feed for {_label(issued.owner)}:")
    click.echo(f"  {urlsplit(web).scheme}:  {web}")
    click.echo(f"  webcal: {webcal}")
    if issued.revoked:
        click.echo("The previous address now answers 404.")
    click.echo(
        "This address is shown only now: kdc keeps a hash of the token, not the token. "
        "Printing it again means issuing a new one (--rotate)."
    )


def _who(f: click.decorators.FC) -> click.decorators.FC:
    f = click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")(f)
    f = click.option(
        "--officer", metavar="PERSON_ID_OR_NAME", help="An officer's directory id or full name."
    )(f)
    return click.option("--councillor", metavar="NAME", help="A councillor's name.")(f)


@click.group("feeds")
def feeds() -> None:
    """Private calendar-feed addresses for councillors and officers."""


@feeds.command("url")
@_who
@click.option(
    "--rotate",
    is_flag=True,
    help="If an address was issued before, replace it (the old one then answers 404).",
)
@pass_kdc
def url_cmd(
    kdc: Kdc, councillor: str | None, officer: str | None, as_json: bool, rotate: bool
) -> None:
    """Print a person's feed address (https and webcal), issuing a token if they have none.

    Only a hash of each token is stored, so an address can be shown only when its token is
    issued. If the person already has one, this stops with an error unless --rotate is
    given: then a new token replaces the old, and the old address answers 404.
    """
    with kdc.unit_of_work(source="cli") as uow:
        owner = _owner(uow, councillor, officer)
        existing = feed_tokens.active_token(uow, owner)
        if existing is not None and not rotate:
            raise FeedAlreadyIssued(
                f"{_label(owner)} already has a feed address (issued "
                f"{plain_moment(existing.created_at, kdc.settings.tz)}). kdc keeps only a hash "
                "of its token, so it cannot be shown again. For a new address (the old one will "
                f"answer 404), run: kdc feeds url {_option(owner, councillor, officer)} --rotate"
            )
        issued = feed_tokens.issue(uow, owner)
    _show(kdc, issued, as_json)


@feeds.command("rotate")
@_who
@click.option(
    "--email/--no-email",
    "email_link",
    default=True,
    show_default=True,
    help="Email a councillor the new address (when a mailer is configured).",
)
@pass_kdc
def rotate_cmd(
    kdc: Kdc, councillor: str | None, officer: str | None, as_json: bool, email_link: bool
) -> None:
    """Replace a person's feed token and print the new address; the old one answers 404.

    Use it when an address has leaked or the person asks for a fresh one. They must
    subscribe again with the new address, which a councillor is also emailed (through the
    outbox) when a mailer is configured.
    """
    from kdc_ical.send_links import issue_and_queue

    emailed = None
    with kdc.unit_of_work(source="cli") as uow:
        owner = _owner(uow, councillor, officer)
        email = _councillor_email(uow, owner) if email_link else None
        if email is not None:
            issued, _ = issue_and_queue(kdc, uow, owner, email)
            emailed = owner.name
        else:
            issued = feed_tokens.rotate(uow, owner)
    _show(kdc, issued, as_json)
    if emailed and not as_json:
        click.echo(
            f"An email with the new address is queued for Cllr {emailed}; it goes when the "
            "outbox is dispatched (kdc jobs run-due, kdc worker or kdc outbox dispatch)."
        )


def _councillor_email(uow: UnitOfWork, owner: FeedOwner) -> str | None:
    """The councillor's address when a mailer is configured; else ``None`` (nothing sent)."""
    if owner.kind is not OwnerKind.COUNCILLOR or not uow.settings.mail.configured:
        return None
    from kdc_core.db.people import CouncillorRow

    row = uow.session.get(CouncillorRow, owner.id)
    return row.email if row is not None and row.email else None


@feeds.command("send-links")
@click.option("--councillor", "names", multiple=True, metavar="NAME", help="A councillor (repeat).")
@click.option("--all", "everyone", is_flag=True, help="Every active councillor.")
@click.option("--again", is_flag=True, help="Also those whose current link was already sent.")
@click.option("--dry-run", is_flag=True, help="Say who would get one; change and send nothing.")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@pass_kdc
def send_links_cmd(
    kdc: Kdc, names: tuple[str, ...], everyone: bool, again: bool, dry_run: bool, as_json: bool
) -> None:
    """Email councillors their private calendar address, with how to subscribe.

    Each gets a new address (the old one stops working) and the email is queued in the same
    transaction; it goes when the outbox is dispatched. A councillor whose current address
    was already emailed is skipped unless --again.
    """
    from kdc_ical.send_links import send_links

    if everyone == bool(names):
        raise click.UsageError("give --all or at least one --councillor NAME")
    report = send_links(kdc, None if everyone else names, again=again, dry_run=dry_run)
    if as_json:
        echo_json(
            {
                "dry_run": dry_run,
                "queued" if not dry_run else "would_queue": list(report.queued),
                "already_sent": list(report.already),
                "no_email": list(report.no_email),
            }
        )
        return
    verb = "Would queue" if dry_run else "Queued"
    count = len(report.queued)
    click.echo(f"{verb} {count} calendar link{'' if count == 1 else 's'}.")
    if report.already:
        click.echo(
            f"{len(report.already)} already have their current link (use --again for new ones)."
        )
    for name in report.no_email:
        click.echo(f"Warning: Cllr {name} has no email address; no link was sent.")
    if report.queued and not dry_run:
        click.echo(
            "They go when the outbox is dispatched (kdc jobs run-due, kdc worker or "
            "kdc outbox dispatch)."
        )
