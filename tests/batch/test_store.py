"""The batch store's claims: a finish that takes its time (packages) keeps its claim fresh, so no sweep
re-sends it as abandoned; and which item starts next: units take turns — on SQLite and PostgreSQL."""
from __future__ import annotations

import time

import pytest

from docgen.api import SERVICES
from docgen.batch.store import NewItem, claim_token

pytestmark = pytest.mark.databases


def test_a_renewed_finish_is_not_stalled_and_only_its_claimant_renews_it(app):
    store = app.extensions[SERVICES].store
    store.create("b1", "某单位", "bazhou-2024", ["pdf"], [])
    token = claim_token()
    assert store.claim_finish("b1", token, lease_seconds=1) is not None
    time.sleep(1.2)
    assert store.stalled("b1", 1, pending_too=False) == ([], True)      # silent for a lease: taken for abandoned
    store.renew_finish("b1", claim_token())                             # another process: no effect
    assert store.stalled("b1", 1, pending_too=False) == ([], True)
    store.renew_finish("b1", token)
    assert store.stalled("b1", 1, pending_too=False) == ([], False)


def _items(n):
    return [NewItem(kind="commitment", folder=f"{i:02d}", who=f"申报人{i}", pointer=f"/applicants/{i}", payload={})
            for i in range(n)]


def test_units_take_turns_not_oldest_first(app):
    """B's 40 items were stored first, then A's one: A's is among the first two to start, whatever B has in hand;
    three units share the slots in turn; keyless batches take turns by the unit they name."""
    store = app.extensions[SERVICES].store
    store.create("b", "乙单位", "bazhou-2024", ["pdf"], _items(40), tenant="乙单位")
    store.create("a", "甲单位", "bazhou-2024", ["pdf"], _items(1), tenant="甲单位")
    first = store.next_items(4, lease_seconds=60)
    assert [b for _, b in first][:2] == ["b", "a"] and [b for _, b in first][2:] == ["b", "b"]
    b_in_hand = [i for i, b in first if b == "b"]
    assert store.next_items(1, 60, holding=b_in_hand) == [first[1]]    # B holds three: A's turn
    assert store.claim_item(first[1][0], claim_token(), 60) is not None  # A's item claimed: B's turn again
    assert [b for _, b in store.next_items(2, 60)] == ["b", "b"]
    store.create("c", "丙单位", "bazhou-2024", ["pdf"], _items(5), tenant="乙单位")   # B's second batch: B's lane
    store.create("d", "丁单位", "bazhou-2024", ["pdf"], _items(5))                   # keyless: 丁单位's lane
    store.create("e", "丁单位", "bazhou-2024", ["pdf"], _items(5))
    order = [b for _, b in store.next_items(6, 60)]
    assert order[:2] == ["b", "d"] and order.count("d") + order.count("e") == 3, order   # 甲 holds one
    assert "c" not in order and "e" not in order   # within a unit, its oldest batch first


def test_a_stale_claim_is_ready_again_and_a_fresh_one_is_not(app):
    store = app.extensions[SERVICES].store
    store.create("b", "乙单位", "bazhou-2024", ["pdf"], _items(2))
    (item, _), _ = store.next_items(2, 60)
    assert store.claim_item(item, claim_token(), 60) is not None
    assert item not in [i for i, _ in store.next_items(2, lease_seconds=60)]
    time.sleep(1.1)
    assert item in [i for i, _ in store.next_items(2, lease_seconds=1)]


def test_a_message_runs_the_item_whose_turn_it_is(app):
    """The Celery path: each message is one item's worth of work. B's 6 messages were queued first, then A's one;
    the second message taken, though sent for one of B's items, runs A's."""
    import copy

    from docgen.batch import work
    from tests.api.test_batches import SAMPLE, Held
    from tests.helpers import many_applicants

    here = app.extensions[SERVICES]
    here.dispatch = Held()   # the messages a broker would hold
    client = app.test_client()
    small = {**copy.deepcopy(SAMPLE), "documents": ["commitment"], "formats": ["pdf"]}
    big = {**copy.deepcopy(small), "applicants": many_applicants(6, SAMPLE["applicants"][1])}
    big["unit"]["name"] = "巴音郭楞蒙古自治州畜牧科学研究所"
    small["applicants"] = small["applicants"][:1]
    b = client.post("/v1/batches", json=big).json["id"]
    a = client.post("/v1/batches", json=small).json["id"]
    messages = [item.id for item in here.store.items(b)] + [item.id for item in here.store.items(a)]
    assert len(messages) == 7
    ran = [work.run_next(here, sent_for) for sent_for in messages[:2]]
    assert [status for status, _ in ran] == ["done", "done"]
    assert [here.store.item(item_id).batch_id for _, item_id in ran] == [b, a]
    assert [work.run_next(here, sent_for)[0] for sent_for in messages[2:]] == ["done"] * 5   # one each, all run
    assert {item.status for item in here.store.items(b) + here.store.items(a)} == {"done"}
