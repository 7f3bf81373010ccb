"""The Alibaba endpoint's resources on the embedded AWS: keys and nonces tables, the KMS key,
and the access keys ``vodcover local`` starts with (``LTAIlocal`` / ``local-secret``, owned by
``local``, plus every ``--alibaba-key ID:SECRET[:OWNER]``).

The tables have the shapes ``key_store`` and ``nonce_store`` define (the template's resources
are checked against the same definitions), under the settings' default names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pydantic import SecretStr

from vodcover.compat.alibaba.key_management import add_access_key
from vodcover.compat.alibaba.key_store import KmsAccessKeyStore, keys_table_definition
from vodcover.compat.alibaba.keys import GivenKeyPair
from vodcover.compat.alibaba.nonce_store import TTL_SPECIFICATION, nonces_table_definition
from vodcover.settings import AlibabaSettings

DEFAULTS = AlibabaSettings.model_construct()
KEYS_TABLE = DEFAULTS.alibaba_keys_table
NONCES_TABLE = DEFAULTS.alibaba_nonces_table
KMS_ALIAS = DEFAULTS.alibaba_keys_kms_key
DEFAULT_KEY = GivenKeyPair("LTAIlocal", SecretStr("local-secret"), "local")
# The template's logical ids → their local names (for !Ref / !GetAtt in the functions' variables).
LOCAL_NAMES: Mapping[str, str] = {
    "AlibabaKeysTable": KEYS_TABLE,
    "AlibabaNoncesTable": NONCES_TABLE,
    "AlibabaKeysKey": KMS_ALIAS,
}


def provision(client: Callable[[str], Any]) -> None:
    """Both tables (nonces expire by TTL) and a KMS key under the alias the settings name."""
    dynamodb = client("dynamodb")
    dynamodb.create_table(**keys_table_definition(KEYS_TABLE))
    dynamodb.create_table(**nonces_table_definition(NONCES_TABLE))
    dynamodb.update_time_to_live(TableName=NONCES_TABLE, TimeToLiveSpecification=TTL_SPECIFICATION)
    kms = client("kms")
    key_id = kms.create_key(Description="vodcover-local Alibaba access keys")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName=KMS_ALIAS, TargetKeyId=key_id)


def import_keys(pairs: Sequence[GivenKeyPair]) -> None:
    """Store each pair (secrets KMS-encrypted, as ``vodcover keys`` would); needs the stack's
    environment applied, since it goes through the product's own clients."""
    store = KmsAccessKeyStore(KEYS_TABLE, KMS_ALIAS)
    for pair in pairs:
        add_access_key(store, pair.access_key_id, pair.secret, pair.owner)
