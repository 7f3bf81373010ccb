"""Template values as the local stack means them: parameters become their defaults (or
overrides), resources their local names, intrinsics (``!Ref``, ``!Sub``, ``!If``…) evaluated."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from vodcover_dev.local.template import (
    BUCKET_TYPE,
    FUNCTION_TYPES,
    KMS_KEY_TYPE,
    TABLE_TYPES,
    FunctionSpec,
    SamTemplate,
    UnresolvableValue,
)

_SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")


@dataclass(frozen=True)
class LocalNames:
    """What the template's pseudo parameters and resources are called on this machine."""

    region: str = "us-east-1"
    account_id: str = "123456789012"
    stack_name: str = "vodcover-local"
    resources: Mapping[str, str] = field(default_factory=dict)  # logical id → local name/URL


class Resolver:
    """Evaluate template values (intrinsics included) to the strings the local stack uses.

    ``!Ref Param`` → the override if given, else the parameter's default. ``!Ref Resource`` and
    ``${Resource}`` → the local name (functions are named by their logical id). ``!GetAtt X.Arn``
    → a local ARN. Conditions are evaluated, so ``!If`` works with parameter-driven switches.
    """

    def __init__(
        self,
        template: SamTemplate,
        names: LocalNames | None = None,
        parameter_overrides: Mapping[str, str] | None = None,
    ) -> None:
        self.template = template
        self.names = names or LocalNames()
        self.parameter_overrides = dict(parameter_overrides or {})
        self._conditions: Mapping[str, Any] = template.document.get("Conditions") or {}
        self._physical_names = _physical_name_expressions(template.document)
        self._mappings: Mapping[str, Any] = template.document.get("Mappings") or {}

    # public ---------------------------------------------------------------------------
    def resolve(self, value: Any) -> Any:
        """Evaluate ``value`` recursively; scalars come back as strings, lists as lists."""
        for expression, logical_id in self._physical_names:
            if value == expression and logical_id in self.names.resources:
                # The template repeats a resource's name expression (e.g. the bucket's !Sub) to
                # avoid circular references; locally that resource has its own name.
                return self.names.resources[logical_id]
        if isinstance(value, dict) and len(value) == 1:
            ((name, argument),) = value.items()
            if name == "Ref" or name.startswith("Fn::") or name == "Condition":
                return self._intrinsic(name, argument)
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        return _scalar(value)

    def resolve_str(self, value: Any) -> str:
        resolved = self.resolve(value)
        if isinstance(resolved, list):
            return ",".join(str(v) for v in resolved)
        if isinstance(resolved, dict):
            raise UnresolvableValue(f"{value!r} does not resolve to a string")
        return str(resolved)

    def environment(self, spec: FunctionSpec) -> dict[str, str]:
        """The function's environment variables as Lambda would see them, locally named."""
        return {name: self.resolve_str(value) for name, value in spec.environment.items()}

    def parameter(self, name: str) -> str:
        if name in self.parameter_overrides:
            return self.parameter_overrides[name]
        default = self.template.parameters[name].default
        if default is None:
            raise UnresolvableValue(f"parameter {name} has no Default; pass an override")
        return default

    def is_parameter_ref(self, value: Any) -> bool:
        """Whether ``value`` is exactly ``!Ref <Parameter>`` (a knob the user may override)."""
        return isinstance(value, dict) and value.get("Ref") in self.template.parameters

    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            raise UnresolvableValue(f"unknown condition {name}")
        return self._truth(self._conditions[name])

    # intrinsics -----------------------------------------------------------------------
    def _intrinsic(self, name: str, argument: Any) -> Any:
        if name == "Ref":
            return self._ref(str(argument))
        if name == "Fn::Sub":
            return self._sub(argument)
        if name == "Fn::GetAtt":
            logical_id, attribute = argument if isinstance(argument, list) else str(argument).split(".", 1)
            return self._get_att(str(logical_id), str(attribute))
        if name == "Fn::Join":
            separator, items = argument
            return str(separator).join(str(v) for v in _as_list(self.resolve(items)))
        if name == "Fn::Select":
            index, items = argument
            return _as_list(self.resolve(items))[int(self.resolve(index))]
        if name == "Fn::Split":
            separator, text = argument
            return self.resolve_str(text).split(str(separator))
        if name == "Fn::If":
            condition, when_true, when_false = argument
            return self.resolve(when_true if self.condition(str(condition)) else when_false)
        if name == "Fn::FindInMap":
            map_name, top, second = (self.resolve_str(v) for v in argument)
            return self.resolve(self._mappings[map_name][top][second])
        if name in {"Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or", "Condition"}:
            return "true" if self._truth({name: argument}) else "false"
        raise UnresolvableValue(f"{name} has no local meaning")

    def _truth(self, value: Any) -> bool:
        ((name, argument),) = value.items()
        if name == "Condition":
            return self.condition(str(argument))
        if name == "Fn::Equals":
            left, right = (self.resolve_str(v) for v in argument)
            return left == right
        if name == "Fn::Not":
            return not self._truth(argument[0])
        if name == "Fn::And":
            return all(self._truth(v) for v in argument)
        if name == "Fn::Or":
            return any(self._truth(v) for v in argument)
        raise UnresolvableValue(f"{name} is not a condition function")

    def _ref(self, name: str) -> str:
        pseudo = {
            "AWS::Region": self.names.region,
            "AWS::AccountId": self.names.account_id,
            "AWS::StackName": self.names.stack_name,
            "AWS::StackId": f"arn:aws:cloudformation:{self.names.region}:{self.names.account_id}"
            f":stack/{self.names.stack_name}/local",
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NoValue": "",
        }
        if name in pseudo:
            return pseudo[name]
        if name in self.template.parameters:
            return self.parameter(name)
        if name in self.names.resources:
            return self.names.resources[name]
        if name in self.template.functions:
            return name  # local functions are named by their logical id
        if name in self.template.resource_types:
            return name
        raise UnresolvableValue(f"!Ref {name}: no such parameter or resource")

    def _get_att(self, logical_id: str, attribute: str) -> str:
        resource_type = self.template.resource_types.get(logical_id)
        if resource_type is None:
            raise UnresolvableValue(f"!GetAtt {logical_id}.{attribute}: no such resource")
        local_name = self._ref(logical_id)
        if attribute != "Arn":
            return local_name
        region, account = self.names.region, self.names.account_id
        if resource_type in FUNCTION_TYPES:
            return f"arn:aws:lambda:{region}:{account}:function:{local_name}"
        if resource_type == BUCKET_TYPE:
            return f"arn:aws:s3:::{local_name}"
        if resource_type in TABLE_TYPES:
            return f"arn:aws:dynamodb:{region}:{account}:table/{local_name}"
        if resource_type == KMS_KEY_TYPE:
            return local_name  # the key's local alias: KMS takes it wherever it takes an ARN
        return f"arn:aws:local:{region}:{account}:{logical_id}/{local_name}"

    def _sub(self, argument: Any) -> str:
        if isinstance(argument, list):
            text, variables = argument[0], {k: self.resolve_str(v) for k, v in argument[1].items()}
        else:
            text, variables = argument, {}

        def replace(match: re.Match[str]) -> str:
            name = match.group(1).strip()
            if name in variables:
                return variables[name]
            if "." in name and not name.startswith("AWS::"):
                logical_id, attribute = name.split(".", 1)
                return self._get_att(logical_id, attribute)
            return self._ref(name)

        return _SUB_VARIABLE.sub(replace, str(text)).replace("${!", "${")


_NAME_PROPERTIES = ("BucketName", "TableName", "FunctionName", "QueueName", "TopicName", "Name")


def _physical_name_expressions(document: Mapping[str, Any]) -> list[tuple[Any, str]]:
    """(expression, logical id) for every resource whose physical name the template computes."""
    found = []
    for logical_id, body in (document.get("Resources") or {}).items():
        props = body.get("Properties") or {}
        for key in _NAME_PROPERTIES:
            if isinstance(props.get(key), dict):
                found.append((props[key], logical_id))
                break
    return found


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else str(value).split(",")


def _scalar(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value
