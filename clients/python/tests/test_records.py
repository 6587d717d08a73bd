"""Collections and records against the real server: declarations, versioned writes and their
conflicts, indexed queries and their pages, history, children, archive, tenants."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import pytest

from conftest import Server
from flowstore import (
    AlreadyExists,
    AsyncClient,
    Client,
    InvalidArgument,
    NotFound,
    StoredRecord,
    Unprocessable,
    VersionConflict,
)

SCHEMA = {
    "type": "object",
    "required": ["title", "status"],
    "properties": {
        "title": {"type": "string"},
        "status": {"enum": ["open", "pending", "closed"]},
        "priority": {"type": "integer", "minimum": 1, "maximum": 5},
    },
}


@pytest.fixture
def tickets(client: Client) -> str:
    """A collection of this test (declarations are global: every test declares its own)."""
    name = "tickets_" + uuid.uuid4().hex[:12]
    client.collections.declare(
        name,
        schema=SCHEMA,
        indexed={"/status": "string", "/priority": "number", "/ref": "string"},
        unique=["/ref"],
    )
    return name


def ticket(title: str, status: str = "open", **more: Any) -> dict[str, Any]:
    return {"title": title, "status": status, **more}


def test_declare_list_and_get_collections(client: Client) -> None:
    name = "tickets_" + uuid.uuid4().hex[:12]
    spec: dict[str, Any] = {
        "schema": SCHEMA,
        "indexed": {"/status": "string", "/priority": "number", "/ref": "string"},
        "unique": ["/ref"],
    }
    declared = client.collections.declare(name, **spec)
    assert declared.name == name and declared.ready and declared.version == 1
    assert [(f.pointer, f.type) for f in declared.indexed] == [
        ("/status", "string"),
        ("/priority", "number"),
        ("/ref", "string"),
    ]
    assert {f.pointer for f in declared.ready_fields} == {"/status", "/priority", "/ref"}
    assert declared.unique == ["/ref"] and declared.schema == SCHEMA and declared.parent is None
    assert client.collections.declare(name, **spec).version == 1  # the same spec: unchanged

    comments = client.collections.declare(
        name + "_c", parent=name, indexed={"/author": "string"}
    )
    assert comments.parent == name and comments.created_at.tzinfo is not None

    assert client.collections.get(name) == client.collections.declare(name, **spec)
    names = [c.name for c in client.collections.list()]
    assert name in names and name + "_c" in names and names == sorted(names)

    with pytest.raises(NotFound):
        client.collections.get("nothing_" + uuid.uuid4().hex[:8])
    with pytest.raises(InvalidArgument) as bad:
        client.collections.declare(name + "_u", indexed={"/a": "string"}, unique=["/b"])
    assert "/b" in bad.value.message
    with pytest.raises(NotFound):
        client.collections.declare(name + "_o", parent="nothing_" + uuid.uuid4().hex[:8])


def test_create_get_replace_patch_and_their_conflicts(client: Client, tickets: str) -> None:
    created = client.records.create(
        tickets, ticket("Printer jam", priority=3, ref="EXT-1"), record_id="TKT-1"
    )
    assert isinstance(created, StoredRecord)
    assert (created.collection, created.id, created.version) == (tickets, "TKT-1", 0)
    assert not created.archived and created.archived_at is None and created.parent_id is None
    assert client.records.get(tickets, "TKT-1") == created

    generated = client.records.create(tickets, ticket("No id"))
    assert uuid.UUID(generated.id) and generated.version == 0

    replaced = client.records.replace(
        tickets, "TKT-1", ticket("Printer jam", "pending", priority=2, ref="EXT-1"),
        expected_version=0,
    )
    assert replaced.version == 1 and replaced.data["status"] == "pending"
    patched = client.records.patch(
        tickets, "TKT-1", {"status": "closed", "priority": None}, expected_version=1
    )
    assert patched.version == 2
    assert patched.data == {"title": "Printer jam", "status": "closed", "ref": "EXT-1"}

    with pytest.raises(VersionConflict) as stale:
        client.records.patch(tickets, "TKT-1", {"status": "open"}, expected_version=1)
    assert stale.value.status == 409
    with pytest.raises(VersionConflict):
        client.records.replace(tickets, "TKT-1", ticket("Late"), expected_version=0)
    assert client.records.get(tickets, "TKT-1") == patched  # nothing changed

    with pytest.raises(AlreadyExists) as duplicate:
        client.records.create(tickets, ticket("Again"), record_id="TKT-1")
    assert duplicate.value.status == 409
    with pytest.raises(AlreadyExists) as taken:
        client.records.create(tickets, ticket("Same ref", ref="EXT-1"), record_id="TKT-2")
    assert "/ref" in taken.value.message
    with pytest.raises(AlreadyExists):
        client.records.patch(tickets, generated.id, {"ref": "EXT-1"}, expected_version=0)

    with pytest.raises(InvalidArgument) as schema:
        client.records.create(tickets, {"title": "Bad", "status": "lost"})
    assert "/status" in schema.value.message
    with pytest.raises(InvalidArgument) as typed:
        client.records.patch(tickets, "TKT-1", {"priority": 9}, expected_version=2)
    assert "/priority" in typed.value.message
    with pytest.raises(NotFound):
        client.records.get(tickets, "TKT-404")
    with pytest.raises(NotFound):
        client.records.create("nothing_" + uuid.uuid4().hex[:8], ticket("Nowhere"))


def test_query_filters_sort_and_pages(client: Client, tickets: str) -> None:
    rows = [
        ("T-1", "open", 1), ("T-2", "open", 3), ("T-3", "pending", 4), ("T-4", "closed", 5),
        ("T-5", "pending", 5), ("T-6", "open", 3), ("T-7", "open", None),
    ]  # fmt: skip
    for rid, status, priority in rows:
        data = ticket(rid, status, ref=f"REF-{rid}")
        if priority is not None:
            data["priority"] = priority
        client.records.create(tickets, data, record_id=rid)

    def ids(page: Any) -> list[str]:
        return [r.id for r in page.records]

    everything = client.records.query(tickets, with_count=True)
    assert ids(everything) == [r[0] for r in rows] and everything.count == 7
    assert everything.next_cursor is None

    where = {"/status": ("in", ["open", "pending"]), "/priority": ("gte", 3)}
    hot = client.records.query(tickets, where=where, sort_by="/priority", order="desc")
    assert ids(hot) == ["T-5", "T-3", "T-6", "T-2"]  # ties by id, descending too
    assert ids(client.records.query(tickets, where={"/status": "closed"})) == ["T-4"]
    ranged = [("/priority", "gte", 3), ("/priority", "lt", 5)]
    assert ids(client.records.query(tickets, where=ranged)) == ["T-2", "T-3", "T-6"]
    prefix = client.records.query(tickets, where={"/ref": ("prefix", "REF-T-1")})
    assert ids(prefix) == ["T-1"]
    raw = client.records.query(tickets, where="/status:eq:pending", sort_by="/priority")
    assert ids(raw) == ["T-3", "T-5"]
    nulls_first = client.records.query(tickets, sort_by="/priority", limit=2)
    assert ids(nulls_first) == ["T-7", "T-1"]

    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        page = client.records.query(
            tickets, where={"/status": ("in", ["open", "pending"])}, limit=2, cursor=cursor,
            with_count=True,
        )
        assert page.count == 6
        seen += ids(page)
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == ["T-1", "T-2", "T-3", "T-5", "T-6", "T-7"] and pages in (3, 4)
    offset = client.records.query(tickets, sort_by="/priority", order="desc", offset=2, limit=2)
    assert ids(offset) == ["T-3", "T-6"]  # after T-5, T-4 (5)

    with pytest.raises(InvalidArgument):
        client.records.query(tickets, where={"/title": "T-1"})  # not indexed
    with pytest.raises(InvalidArgument):
        client.records.query(tickets, where={"/priority": ("gt", "high")})  # not a number
    first_two = client.records.query(tickets, limit=2)
    with pytest.raises(InvalidArgument):
        client.records.query(tickets, limit=2, cursor=first_two.next_cursor, offset=2)
    with pytest.raises(ValueError):
        client.records.query(tickets, where={"/status": ("in", ["open,pending"])})
    with pytest.raises(ValueError):
        client.records.query(tickets, where={"/status": ("like", "op")})


def test_history_and_as_of_version(client: Client, tickets: str) -> None:
    client.records.create(tickets, ticket("Jam", priority=3), record_id="H-1")
    client.records.patch(tickets, "H-1", {"status": "closed", "priority": None}, expected_version=0)
    client.records.replace(tickets, "H-1", ticket("Jam again"), expected_version=1)

    history = client.records.history(tickets, "H-1")
    assert [(e.version, e.type) for e in history.events] == [
        (0, "record.created"),
        (1, "record.patched"),
        (2, "record.replaced"),
    ]
    assert history.next_from_version is None
    patched = history.events[1].payload
    assert patched["set"] == {"status": "closed"} and patched["removed"] == ["priority"]
    assert patched["indexed"]["/status"] == {"before": "open", "after": "closed"}
    assert [e.version for e in client.records.history(tickets, "H-1", from_version=1, limit=1).events] == [1]

    first = client.records.get(tickets, "H-1", as_of_version=0)
    assert first.version == 0 and first.data == ticket("Jam", priority=3)
    assert client.records.get(tickets, "H-1", as_of_version=1).data == ticket("Jam", "closed")
    assert client.records.get(tickets, "H-1").data == ticket("Jam again")
    with pytest.raises(NotFound):
        client.records.history(tickets, "H-404")


def test_children_of_a_parent(client: Client, tickets: str) -> None:
    comments = tickets + "_comments"
    client.collections.declare(comments, parent=tickets, indexed={"/author": "string"})
    client.records.create(tickets, ticket("Parent"), record_id="P-1")
    client.records.create(tickets, ticket("Other"), record_id="P-2")
    for n, author in enumerate(["ann", "bob", "ann"]):
        client.records.create(comments, {"author": author, "n": n}, record_id=f"c-{n}", parent_id="P-1")
    client.records.create(comments, {"author": "ann"}, record_id="c-other", parent_id="P-2")

    children = client.records.children(tickets, "P-1", comments, with_count=True)
    assert [r.id for r in children.records] == ["c-0", "c-1", "c-2"] and children.count == 3
    assert {r.parent_id for r in children.records} == {"P-1"}
    by_ann = client.records.children(tickets, "P-1", comments, where={"/author": "ann"}, order="desc")
    assert [r.id for r in by_ann.records] == ["c-2", "c-0"]
    paged = client.records.children(tickets, "P-1", comments, limit=2)
    rest = client.records.children(tickets, "P-1", comments, limit=2, cursor=paged.next_cursor)
    assert [r.id for r in paged.records + rest.records] == ["c-0", "c-1", "c-2"]
    same = client.records.query(comments, parent_id="P-1")
    assert [r.id for r in same.records] == ["c-0", "c-1", "c-2"]

    with pytest.raises(NotFound):
        client.records.children(tickets, "P-404", comments)
    with pytest.raises(NotFound):
        client.records.create(comments, {"author": "x"}, parent_id="P-404")
    with pytest.raises(Unprocessable):
        client.records.delete(tickets, "P-1", expected_version=0)  # it has children


def test_archive_unarchive_and_delete(client: Client, tickets: str) -> None:
    client.records.create(tickets, ticket("Keep"), record_id="A-1")
    client.records.create(tickets, ticket("Archive me"), record_id="A-2")

    archived = client.records.archive(tickets, "A-2", expected_version=0)
    assert archived.archived and archived.archived_at is not None and archived.version == 1
    assert [r.id for r in client.records.query(tickets).records] == ["A-1"]
    assert [r.id for r in client.records.query(tickets, include_archived=True).records] == [
        "A-1",
        "A-2",
    ]
    with pytest.raises(VersionConflict):
        client.records.unarchive(tickets, "A-2", expected_version=0)
    back = client.records.unarchive(tickets, "A-2", expected_version=1)
    assert not back.archived and back.archived_at is None and back.version == 2
    assert [r.id for r in client.records.query(tickets).records] == ["A-1", "A-2"]

    with pytest.raises(VersionConflict):
        client.records.delete(tickets, "A-2", expected_version=1)
    client.records.delete(tickets, "A-2", expected_version=2)
    with pytest.raises(NotFound):
        client.records.get(tickets, "A-2")
    with pytest.raises(NotFound):
        client.records.delete(tickets, "A-2", expected_version=3)
    types = [e.type for e in client.records.history(tickets, "A-2").events]
    assert types == ["record.created", "record.archived", "record.unarchived", "record.deleted"]


def test_another_tenant_sees_none_of_them(server: Server, client: Client, tickets: str) -> None:
    client.records.create(tickets, ticket("Mine", ref="EXT-9"), record_id="M-1")
    with Client(server.url, tenant="py-" + uuid.uuid4().hex[:16]) as other:
        assert other.collections.get(tickets).name == tickets  # declarations are global
        assert other.records.query(tickets, with_count=True).count == 0
        with pytest.raises(NotFound):
            other.records.get(tickets, "M-1")
        with pytest.raises(NotFound):
            other.records.patch(tickets, "M-1", {"status": "closed"}, expected_version=0)
        # ids and unique values are per tenant
        theirs = other.records.create(tickets, ticket("Theirs", ref="EXT-9"), record_id="M-1")
        assert theirs.data["title"] == "Theirs"
    assert client.records.get(tickets, "M-1").data["title"] == "Mine"


def test_the_async_client_round_trip(server: Server, tenant: str, tickets: str) -> None:
    async def scenario() -> None:
        async with AsyncClient(server.url, tenant=tenant) as fs:
            assert (await fs.collections.get(tickets)).name == tickets
            assert tickets in [c.name for c in await fs.collections.list()]
            r = await fs.records.create(tickets, ticket("Async", priority=2), record_id="AS-1")
            r = await fs.records.patch(tickets, r.id, {"status": "pending"}, expected_version=r.version)
            with pytest.raises(VersionConflict):
                await fs.records.patch(tickets, r.id, {"status": "open"}, expected_version=0)
            page = await fs.records.query(tickets, where={"/status": "pending"}, with_count=True)
            assert [x.id for x in page.records] == ["AS-1"] and page.count == 1
            assert (await fs.records.get(tickets, r.id, as_of_version=0)).data["status"] == "open"
            assert len((await fs.records.history(tickets, r.id)).events) == 2

    asyncio.run(scenario())


def test_the_readme_records_example_runs(client: Client) -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    section = readme.split("## Records", 1)[1].split("\n## ", 1)[0]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    scope: dict[str, Any] = {"fs": client}
    exec(code, scope)  # the only "tickets" of the run: other tests declare their own names
    assert scope["t"].version == 1 and scope["t"].data["status"] == "closed"
    assert scope["first"].data["status"] == "open"
    assert scope["page"].count == 0 and "more" not in scope


def test_search_finds_words_of_full_text_fields_only(client: Client) -> None:
    name = "notes_" + uuid.uuid4().hex[:12]
    declared = client.collections.declare(
        name, indexed={"/status": "string"}, full_text=["/title"]
    )
    assert declared.full_text == ["/title"]
    assert declared.full_text_ready and client.collections.get(name).full_text_ready
    client.records.create(
        name, {"title": "printer jam on floor 2", "status": "open", "body": "toner"}
    )
    client.records.create(name, {"title": "coffee machine", "status": "open"})
    page = client.records.query(name, search="printer jam")
    assert [r.data["title"] for r in page.records] == ["printer jam on floor 2"]
    assert client.records.query(name, search="toner").records == []  # body is not declared
    # quotes, - and * are no operators: the words are printer and jam
    assert client.records.query(name, search='"printer" -jam*').records != []
    with pytest.raises(InvalidArgument):
        client.records.query(name, search="!!!")  # no word in it


def test_get_by_unique_finds_the_holder_of_a_value(client: Client, tickets: str) -> None:
    ann = client.records.create(tickets, ticket("Ann's", ref="EXT-1/a b&c"), record_id="U-1")
    assert client.records.get_by_unique(tickets, "/ref", "EXT-1/a b&c") == ann
    with pytest.raises(NotFound):
        client.records.get_by_unique(tickets, "/ref", "EXT-2")
    with pytest.raises(InvalidArgument) as not_unique:
        client.records.get_by_unique(tickets, "/status", "open")  # indexed, not unique
    assert "/status" in not_unique.value.message
    with pytest.raises(NotFound):
        client.records.get_by_unique("nothing_" + uuid.uuid4().hex[:8], "/ref", "EXT-1")
    archived = client.records.archive(tickets, "U-1", expected_version=0)
    assert client.records.get_by_unique(tickets, "/ref", "EXT-1/a b&c") == archived

    # a number field, a pointer with a slash inside: the value is read as the field's type
    name = "agents_" + uuid.uuid4().hex[:12]
    client.collections.declare(
        name, indexed={"/profile/badge": "number", "/on": "boolean"}, unique=["/profile/badge"]
    )
    bob = client.records.create(name, {"profile": {"badge": 7}, "on": True}, record_id="B-1")
    assert client.records.get_by_unique(name, "/profile/badge", 7) == bob
    assert client.records.get_by_unique(name, "/profile/badge", 7.0) == bob
    with pytest.raises(InvalidArgument):
        client.records.get_by_unique(name, "/profile/badge", "seven")
    with pytest.raises(ValueError):
        client.records.get_by_unique(name, "/profile/badge", float("nan"))


def _actors(client: Client, collection: str, record_id: str) -> list[str | None]:
    events = client.records.history(collection, record_id).events
    return [e.metadata.get("actor") for e in events]


def test_the_actor_of_a_change_is_the_calls_or_the_clients(
    server: Server, tenant: str, tickets: str
) -> None:
    with Client(server.url, tenant=tenant, actor="service:helpdesk") as fs:
        r = fs.records.create(tickets, ticket("By default"), record_id="AC-1")
        r = fs.records.patch(tickets, r.id, {"status": "pending"}, expected_version=0, actor="user:ann")
        r = fs.records.replace(tickets, r.id, ticket("Replaced"), expected_version=1, actor="agent:bot")
        r = fs.records.archive(tickets, r.id, expected_version=2)
        r = fs.records.unarchive(tickets, r.id, expected_version=3, actor="user:bob")
        assert _actors(fs, tickets, "AC-1") == [
            "service:helpdesk", "user:ann", "agent:bot", "service:helpdesk", "user:bob",
        ]  # fmt: skip
        with pytest.raises(InvalidArgument) as bad:
            fs.records.patch(tickets, r.id, {"status": "closed"}, expected_version=4, actor="x" * 201)
        assert "X-Actor" in bad.value.message
        assert fs.records.get(tickets, r.id).version == 4  # nothing written
        fs.records.delete(tickets, r.id, expected_version=4, actor="user:carol")
        assert _actors(fs, tickets, "AC-1")[-1] == "user:carol"
    with Client(server.url, tenant=tenant) as anonymous:  # dev mode, no actor: none written
        anonymous.records.create(tickets, ticket("Nobody's"), record_id="AC-2")
        assert _actors(anonymous, tickets, "AC-2") == [None]
    with pytest.raises(ValueError):
        Client(server.url, tenant=tenant, actor="")


def test_the_async_client_sends_its_actor_too(server: Server, tenant: str, tickets: str) -> None:
    async def scenario() -> None:
        async with AsyncClient(server.url, tenant=tenant, actor="agent:async") as fs:
            r = await fs.records.create(tickets, ticket("Async", ref="EXT-AS"), record_id="AA-1")
            await fs.records.patch(
                tickets, r.id, {"status": "closed"}, expected_version=0, actor="user:ann"
            )
            assert (await fs.records.get_by_unique(tickets, "/ref", "EXT-AS")).version == 1
            events = (await fs.records.history(tickets, r.id)).events
            assert [e.metadata.get("actor") for e in events] == ["agent:async", "user:ann"]

    asyncio.run(scenario())
