"""CloudFormation / SAM YAML read as plain data: the one loader the local stack and the build check share.

Short tags (``!Ref``, ``!Sub``, ``!GetAtt``…) load as the long-form dicts of CloudFormation's
JSON (``{"Ref": ...}``, ``{"Fn::Sub": ...}``), so templates written either way look the same.
An unknown tag is an error, not a silent ``None``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

_SHORT_TAGS = {
    "Ref": "Ref",
    "Condition": "Condition",
    **{
        name: f"Fn::{name}"
        for name in (
            "Sub",
            "Join",
            "Select",
            "Split",
            "If",
            "Equals",
            "Not",
            "And",
            "Or",
            "FindInMap",
            "ImportValue",
            "Base64",
            "Cidr",
            "GetAZs",
            "Transform",
            "ToJsonString",
            "Length",
        )
    },
}


class UnknownCfnTag(ValueError):
    """A ``!Tag`` that is no CloudFormation intrinsic."""


class CfnLoader(yaml.SafeLoader):
    """A safe YAML loader that reads CloudFormation short tags as long-form intrinsic dicts."""


def _construct_short_tag(loader: CfnLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    long_name = _SHORT_TAGS.get(tag_suffix)
    if long_name is None:
        raise UnknownCfnTag(f"unknown CloudFormation tag !{tag_suffix}")
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {long_name: value}


def _construct_get_att(loader: CfnLoader, node: yaml.Node) -> dict[str, Any]:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = str(loader.construct_scalar(node)).split(".", 1)
    else:
        value = loader.construct_sequence(node, deep=True)  # type: ignore[arg-type]
    return {"Fn::GetAtt": value}


CfnLoader.add_multi_constructor("!", _construct_short_tag)
CfnLoader.add_constructor("!GetAtt", _construct_get_att)


def load_cfn_yaml(path: Path) -> Any:
    """Parse a CloudFormation/SAM YAML file (intrinsics as long-form dicts)."""
    with path.open(encoding="utf-8") as stream:
        return yaml.load(stream, Loader=CfnLoader)  # noqa: S506 - CfnLoader is a SafeLoader
