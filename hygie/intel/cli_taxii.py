"""``hygie intel taxii …``: Hygie's TAXII collections and partners' TAXII servers from the
command line (platform commands: each starts Django itself).

* ``collections``: Hygie's collections (or, with ``--partner``, the partner's);
* ``poll``: poll TAXII feeds now (one, or every due one), state kept so nothing comes twice;
* ``push``: send a STIX bundle file, or a Hygie collection's objects, to a partner's collection
  (what the partner may not receive under TLP is withheld);
* ``publish``: publish an establishment's active indicators into a Hygie collection;
* ``credential``: generate a partner's credential for Hygie's TAXII server (secret shown once).

Exit codes: 0 done; 1 nothing to do, or the partner's server refused or could not be reached;
2 invalid input (unknown id, unreadable bundle).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import click

EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2
MAX_BUNDLE_BYTES = 50 * 1024 * 1024


def _setup() -> Callable[[], AbstractContextManager[None]]:
    """Django started; the context that attributes audit entries to the operator."""
    from hygie.intel.cli import setup_platform

    return setup_platform()


def _fail(message: str, code: int = EXIT_INVALID) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def _partner(partner_id: int) -> Any:
    from hygie.intel.models import Partner

    found = Partner.objects.filter(pk=partner_id).first()
    if found is None:
        _fail(f"no partner {partner_id}")
    return found


def _collection(collection_id: int) -> Any:
    from hygie.intel.models import TaxiiCollection

    found = TaxiiCollection.objects.filter(pk=collection_id).first()
    if found is None:
        _fail(f"no TAXII collection {collection_id}")
    return found


@click.group(help="TAXII 2.1: Hygie's collections, partners' servers (poll, push).")
def taxii() -> None:
    pass


@taxii.command("collections")
@click.option("--establishment", "establishment_id", type=int, help="Only this establishment.")
@click.option("--partner", "partner_id", type=int, help="List this partner's collections.")
def collections_command(establishment_id: int | None, partner_id: int | None) -> None:
    """List collections, tab-separated: Hygie's (id, API root, collection id, objects, title)
    or, with --partner, those the partner's server shows Hygie."""
    _setup()
    from hygie.intel.models import TaxiiCollection
    from hygie.intel.services import taxii_admin, taxii_client
    from hygie.intel.services.feeds import FeedError

    if partner_id is not None:
        try:
            found = taxii_client.list_collections(_partner(partner_id))
        except FeedError as error:
            _fail(str(error), EXIT_FAILED)
        for item in found:
            rights = ("r" if item.get("can_read") else "-") + (
                "w" if item.get("can_write") else "-"
            )
            click.echo(f"{item.get('id', '')}\t{rights}\t{item.get('title', '')}")
        sys.exit(EXIT_OK if found else EXIT_FAILED)
    queryset = TaxiiCollection.objects.order_by("api_root", "title")
    if establishment_id is not None:
        queryset = queryset.filter(establishment_id=establishment_id)
    rows = list(queryset)
    for row in rows:
        count = taxii_admin.collection_summary(row)["objects"]
        click.echo(f"{row.pk}\t{row.api_root}\t{row.collection_id}\t{count}\t{row.title}")
    sys.exit(EXIT_OK if rows else EXIT_FAILED)


@taxii.command("poll")
@click.argument("feed_ids", nargs=-1, type=int)
@click.option("--due", is_flag=True, help="Every active TAXII feed whose interval has elapsed.")
def poll_command(feed_ids: tuple[int, ...], due: bool) -> None:
    """Poll TAXII feeds now: only what their server added since the last poll is fetched."""
    acting_as_operator = _setup()
    from django.utils import timezone

    from hygie.intel.models import Feed
    from hygie.intel.services import feeds, taxii_client  # noqa: F401  (the taxii poller)

    queryset = Feed.objects.filter(kind="taxii").select_related("partner", "establishment")
    if feed_ids:
        chosen = list(queryset.filter(pk__in=feed_ids))
        missing = set(feed_ids) - {feed.pk for feed in chosen}
        if missing:
            _fail(f"no TAXII feed {', '.join(str(i) for i in sorted(missing))}")
    elif due:
        now = timezone.now()
        chosen = [feed for feed in queryset if feeds.is_due(feed, now)]
    else:
        _fail("name feed ids or --due")
    failed = 0
    with acting_as_operator():
        for feed in chosen:
            try:
                counts = feeds.poll(feed)
            except feeds.FeedError as error:
                failed += 1
                click.echo(f"{feed.pk}\t{feed.name}\tfailed: {error}", err=True)
                continue
            click.echo(
                f"{feed.pk}\t{feed.name}\t{counts.get('objects', 0)} object(s) in "
                f"{counts.get('pages', 0)} page(s): {counts.get('created', 0)} new indicator(s), "
                f"{counts.get('updated', 0)} updated"
            )
    if not chosen:
        click.echo("no TAXII feed to poll", err=True)
    sys.exit(EXIT_FAILED if failed or not chosen else EXIT_OK)


@taxii.command("push")
@click.argument(
    "bundle", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--partner", "partner_id", type=int, required=True, help="Partner id.")
@click.option("--from-collection", "source_id", type=int, help="Push this Hygie collection.")
@click.option("--collection-id", default="", help="Partner's collection (default: its own).")
def push_command(
    bundle: Path | None, partner_id: int, source_id: int | None, collection_id: str
) -> None:
    """Push a STIX 2.1 bundle file, or a Hygie collection's latest object versions, to a
    partner's TAXII collection. Objects above the partner's TLP clearance, and TLP:RED, stay."""
    acting_as_operator = _setup()
    from hygie.intel.engine import stix
    from hygie.intel.engine.errors import IntelError
    from hygie.intel.models import TaxiiObject
    from hygie.intel.services import taxii_client
    from hygie.intel.services.feeds import FeedError

    if (bundle is None) == (source_id is None):
        _fail("give a bundle file or --from-collection (one of them)")
    partner = _partner(partner_id)
    objects: list[Any]
    if bundle is not None:
        if bundle.stat().st_size > MAX_BUNDLE_BYTES:
            _fail(f"{bundle}: larger than {MAX_BUNDLE_BYTES // 2**20} MiB")
        try:
            document = stix.loads_json(bundle.read_bytes(), str(bundle))
        except IntelError as error:
            _fail(str(error))
        if not isinstance(document, dict) or not isinstance(document.get("objects"), list):
            _fail(f"{bundle}: not a STIX bundle (no objects list)")
        objects = document["objects"]
    else:
        source = _collection(int(source_id or 0))
        if source.establishment_id != partner.establishment_id:
            _fail("the partner and the collection belong to different establishments")
        rows = TaxiiObject.objects.filter(collection=source).order_by("stix_id", "-version")
        latest: dict[str, Any] = {}
        for row in rows:
            latest.setdefault(row.stix_id, row.object)
        objects = list(latest.values())
    try:
        with acting_as_operator():
            result = taxii_client.push(partner, objects, collection_id=collection_id)
    except FeedError as error:
        _fail(str(error), EXIT_FAILED)
    status = result.status
    click.echo(
        f"{result.sent} object(s) sent, {result.withheld} withheld by TLP; partner status: "
        f"{status.get('status', '-')}, {status.get('success_count', 0)} accepted, "
        f"{status.get('failure_count', 0)} refused"
    )
    sys.exit(EXIT_OK if result.sent else EXIT_FAILED)


@taxii.command("publish")
@click.option("--collection", "collection_pk", type=int, required=True, help="Hygie collection id.")
def publish_command(collection_pk: int) -> None:
    """Publish the collection's establishment's active indicators (never TLP:RED) into it."""
    acting_as_operator = _setup()
    from hygie.intel.services import taxii_admin

    collection = _collection(collection_pk)
    with acting_as_operator():
        result = taxii_admin.publish_indicators(collection, None)
    click.echo(
        f"{result.indicators} indicator(s) published: {result.added} new object version(s), "
        f"{result.unchanged} unchanged, {result.failures} refused"
    )
    sys.exit(EXIT_OK if result.indicators else EXIT_FAILED)


@taxii.command("credential")
@click.option("--partner", "partner_id", type=int, required=True, help="Partner id.")
def credential_command(partner_id: int) -> None:
    """Generate a credential for a partner on Hygie's TAXII server; the secret is printed once
    (only its hash is kept)."""
    acting_as_operator = _setup()
    from hygie.intel.services import taxii_admin

    partner = _partner(partner_id)
    with acting_as_operator():
        made = taxii_admin.generate_credential(partner, None)
    click.echo(f"user name: {made.credential.username}")
    click.echo(f"secret:    {made.secret}")
    click.echo("The secret is shown once: send it to the partner by a safe channel.", err=True)
