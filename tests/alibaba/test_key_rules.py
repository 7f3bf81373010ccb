"""The pure rules of access keys: generated forms, accepted forms, and ``ID:SECRET[:OWNER]``."""

from __future__ import annotations

import pytest

from vodcover.compat.alibaba.errors import InvalidParameter
from vodcover.compat.alibaba.keys import (
    ACCESS_KEY_ID_PATTERN,
    new_access_key_id,
    new_access_key_secret,
    parse_key_pair,
)


def test_generated_ids_and_secrets_have_alibabas_forms_and_differ() -> None:
    ids = {new_access_key_id() for _ in range(50)}
    secrets = {new_access_key_secret().get_secret_value() for _ in range(50)}

    assert len(ids) == 50 and len(secrets) == 50
    assert all(i.startswith("LTAI") and len(i) == 24 and ACCESS_KEY_ID_PATTERN.fullmatch(i) for i in ids)
    assert all(len(s) == 30 and s.isalnum() for s in secrets)


def test_a_pair_without_owner_belongs_to_the_default_caller() -> None:
    pair = parse_key_pair("LTAIlocal:local-secret")

    assert (pair.access_key_id, pair.secret.get_secret_value(), pair.owner) == (
        "LTAIlocal",
        "local-secret",
        "local",
    )
    assert "local-secret" not in repr(pair)


def test_an_owner_may_be_an_arn_with_colons() -> None:
    pair = parse_key_pair("LTAIalice:s3cret-value:arn:aws:iam::123456789012:user/alice")

    assert pair.owner == "arn:aws:iam::123456789012:user/alice"


@pytest.mark.parametrize(
    "text", ["", "LTAIx", "LTAIx:", ":secret-value", "bad id:secret-value", "LTAIx:short"]
)
def test_malformed_pairs_are_refused_with_a_clear_code(text: str) -> None:
    with pytest.raises(InvalidParameter) as refused:
        parse_key_pair(text)

    assert refused.value.code == "InvalidParameter"
