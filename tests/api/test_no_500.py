"""No input may produce a 500: random JSON, and samples with random values in every field, for every type."""
from __future__ import annotations

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docgen.documents import sample
from docgen.kinds import KINDS

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12)
ODD_VALUES = st.none() | st.text(max_size=40) | st.integers() | st.booleans() | st.just("") | \
    st.just("2024-02-30") | st.just("<w:t>&") | st.just("䶮" * 300) | st.lists(st.text(max_size=3), max_size=3)


def _paths(obj, prefix=()):
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield prefix + (key,)
            yield from _paths(value, prefix + (key,))
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            yield prefix + (i,)
            yield from _paths(value, prefix + (i,))


def _set(obj, path, value):
    for key in path[:-1]:
        obj = obj[key]
    obj[path[-1]] = value


SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.mark.parametrize("slug", list(KINDS))
@SETTINGS
@given(body=JSON)
def test_random_json_is_never_500(client, slug, body):
    resp = client.post(f"/v1/documents/{slug}?format=docx", data=json.dumps(body), content_type="application/json")
    assert resp.status_code in (200, 400, 422), resp.get_data(as_text=True)[:500]


@pytest.mark.parametrize("slug", list(KINDS))
@SETTINGS
@given(data=st.data())
def test_sample_with_one_odd_value_is_never_500(client, slug, data):
    payload = copy.deepcopy(sample(slug))
    paths = list(_paths(payload))
    path = data.draw(st.sampled_from(paths))
    _set(payload, path, data.draw(ODD_VALUES))
    resp = client.post(f"/v1/documents/{slug}?format=docx", json=payload)
    assert resp.status_code in (200, 422), (path, resp.get_data(as_text=True)[:500])
    if resp.status_code == 422:
        assert resp.mimetype == "application/problem+json" and resp.json["errors"]
