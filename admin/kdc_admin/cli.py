"""``kdc serve`` and ``kdc demo``: the web app behind waitress."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from kdc_admin import server
from kdc_core import logs
from kdc_core.app import Kdc
from kdc_core.cli import pass_kdc

if TYPE_CHECKING:
    from flask import Flask

DEMO_ADMIN = "admin@example.gov.uk"


def _app(kdc: Kdc) -> Flask:
    from kdc_admin import create_app

    return create_app(kdc)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0 picks a free one).",
)
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--trusted-proxy",
    metavar="ADDRESS",
    envvar="KDC_TRUSTED_PROXY",
    help="Address of the reverse proxy in front of kdc (env KDC_TRUSTED_PROXY). Its "
    "X-Forwarded-For/-Host/-Proto/-Port headers are believed; other clients' are dropped.",
)
@pass_kdc
def serve(kdc: Kdc, host: str, port: int, threads: int, trusted_proxy: str | None) -> None:
    """Serve the web app (admin and plugin routes) on an existing database.

    Logs one access line per request, from INFO (KDC_LOG_FORMAT=json for JSON lines)."""
    logs.serving()
    logs.in_background()
    server.check_schema(kdc)
    wsgi = server.make_server(_app(kdc), host, port, threads, trusted_proxy)
    server.run(wsgi, server.server_url(wsgi, host) + "admin/")


@click.command("demo")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port on 127.0.0.1 (0 picks a free one).",
)
@pass_kdc
def demo(kdc: Kdc, port: int) -> None:
    """Set up a demo council and serve it on 127.0.0.1.

    Creates or upgrades the schema, loads the demo council and its activity (meetings, the
    walkabout rota, enquiries, briefings, a newsletter; again is harmless), creates the
    account admin@example.gov.uk (or gives it a new password), prints the password once and
    serves the web app. Without [mail] in kdc.toml, mail is written to the instance folder's
    mail/ Maildir.
    """
    from kdc_core.demo import seed_demo
    from kdc_core.demo.living import mail_line, seed_living, use_demo_mail
    from kdc_core.demo.signin import demo_sign_in_links
    from kdc_core.users import service as users

    kdc.upgrade_schema()
    use_demo_mail(kdc)
    with kdc.unit_of_work(source="demo") as uow:
        seed_demo(uow)
    activity = seed_living(kdc, progress=lambda line: click.echo(line, err=True))
    with kdc.unit_of_work(source="demo", dry_run=True) as uow:
        wards, councillors = len(uow.people.wards()), len(uow.people.councillors())
        officers = len(uow.people.officers())
    wsgi = server.make_server(_app(kdc), "127.0.0.1", port)
    password = users.generate_password()
    with kdc.unit_of_work(source="demo") as uow:
        if users.find_user(uow, DEMO_ADMIN) is None:
            users.create_user(uow, DEMO_ADMIN, "admin", password)
        else:
            users.set_password(uow, DEMO_ADMIN, password)
            users.enable_user(uow, DEMO_ADMIN)
    url = server.server_url(wsgi, "127.0.0.1")
    with kdc.unit_of_work(source="demo") as uow:
        links = demo_sign_in_links(uow, url)
    sign_ins = [f"See it as {link.kind} {link.name}: {link.url}" for link in links]
    server.run(
        wsgi,
        url + "admin/",
        [
            f"Demo council: {wards} wards, {councillors} councillors, {officers} officers.",
            *activity.lines(),
            mail_line(kdc),
            f"The site for councillors and staff: {url}",
            *sign_ins,
            "(each link signs one browser in, once, within 15 minutes)",
            f"The admin: log in at {url}login as {DEMO_ADMIN} with password {password}",
            "(the password is shown only now; run kdc demo again for a new one and new links)",
        ],
    )
