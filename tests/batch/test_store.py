"""The batch store's claims: a finish that takes its time (packages) keeps its claim fresh, so no sweep
re-sends it as abandoned."""
from __future__ import annotations

import time

from docgen.api import SERVICES
from docgen.batch.store import claim_token


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
