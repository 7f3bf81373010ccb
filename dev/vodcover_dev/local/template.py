"""A typed, read-only view of the SAM template, so the local stack runs what gets deployed.

The local stack never hard-codes a function, route, trigger or table key: it reads them from
``template.yaml`` here. CloudFormation short tags (``!Ref``, ``!Sub``…) load as their long-form
dicts (``{"Ref": ...}``, ``{"Fn::Sub": ...}``), so templates written either way look the same
to :class:`Resolver`, which turns values into what they mean locally: parameters become their
defaults (or overrides), resources become local names.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vodcover_dev.cfn_yaml import UnknownCfnTag, load_cfn_yaml

FUNCTION_TYPES = frozenset({"AWS::Serverless::Function", "AWS::Lambda::Function"})
BUCKET_TYPE = "AWS::S3::Bucket"
TABLE_TYPES = frozenset({"AWS::DynamoDB::Table", "AWS::Serverless::SimpleTable"})
KMS_KEY_TYPE = "AWS::KMS::Key"
DEFAULT_ASYNC_RETRIES = 2  # Lambda retries a failed asynchronous invocation twice by default
DEFAULT_TIMEOUT_SECONDS = 3  # Lambda's own defaults when neither Globals nor the function say
DEFAULT_MEMORY_MB = 128


class TemplateError(Exception):
    """The template lacks something the local stack needs, or uses what it cannot emulate."""


class UnresolvableValue(TemplateError):
    """An intrinsic function or reference with no local meaning (e.g. ``Fn::ImportValue``)."""


# --- loading ---------------------------------------------------------------------------
def load_yaml(path: Path) -> dict[str, Any]:
    """Parse a CloudFormation/SAM YAML file into plain data (intrinsics as long-form dicts)."""
    try:
        document = load_cfn_yaml(path)
    except UnknownCfnTag as exc:
        raise TemplateError(str(exc)) from exc
    if not isinstance(document, dict) or "Resources" not in document:
        raise TemplateError(f"{path} is not a CloudFormation template (no Resources)")
    return document


# --- the typed view --------------------------------------------------------------------
@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    default: str | None


@dataclass(frozen=True)
class S3Event:
    """One ``Type: S3`` event: which bucket, which event names, which key prefix/suffix."""

    name: str
    bucket: str  # logical id of the bucket
    events: tuple[str, ...]
    prefix: str = ""
    suffix: str = ""

    def matches(self, event_name: str, key: str) -> bool:
        """Whether S3 would deliver ``event_name`` for ``key`` (already URL-decoded) here."""
        return (
            any(_s3_event_matches(pattern, event_name) for pattern in self.events)
            and key.startswith(self.prefix)
            and key.endswith(self.suffix)
        )


def _s3_event_matches(pattern: str, event_name: str) -> bool:
    """``s3:ObjectCreated:*`` matches ``ObjectCreated:Put`` (records carry no ``s3:`` prefix)."""
    pattern = pattern.removeprefix("s3:")
    event_name = event_name.removeprefix("s3:")
    if pattern.endswith("*"):
        return event_name.startswith(pattern[:-1])
    return pattern == event_name


@dataclass(frozen=True)
class ApiEvent:
    """One ``Type: Api`` event: the REST route that reaches the function."""

    name: str
    method: str  # upper case; ``ANY`` matches every method
    path: str
    rest_api_id: str | None = None


@dataclass(frozen=True)
class FunctionSpec:
    """What the local invoker needs to run one function like Lambda would."""

    logical_id: str
    code_uri: Path
    handler: str
    environment: Mapping[str, Any]  # raw template values (Globals merged), resolved later
    timeout: int
    memory_size: int
    layers: tuple[Any, ...]
    s3_events: tuple[S3Event, ...] = ()
    api_events: tuple[ApiEvent, ...] = ()
    http_api_events: tuple[ApiEvent, ...] = ()  # ``Type: HttpApi`` (the Alibaba endpoint)
    max_retry_attempts: int = DEFAULT_ASYNC_RETRIES

    @property
    def handler_module_path(self) -> Path:
        """``app.lambda_handler`` → ``<CodeUri>/app.py``; ``pkg.mod.fn`` → ``<CodeUri>/pkg/mod.py``."""
        module, _, _ = self.handler.rpartition(".")
        if not module:
            raise TemplateError(f"{self.logical_id}: Handler {self.handler!r} is not module.function")
        return self.code_uri / (module.replace(".", "/") + ".py")

    @property
    def handler_function_name(self) -> str:
        return self.handler.rpartition(".")[2]


@dataclass(frozen=True)
class TableSpec:
    """A DynamoDB table's shape; :meth:`create_table_kwargs` feeds ``CreateTable`` directly."""

    logical_id: str
    key_schema: tuple[Mapping[str, str], ...]
    attribute_definitions: tuple[Mapping[str, str], ...]
    global_secondary_indexes: tuple[Mapping[str, Any], ...] = ()
    local_secondary_indexes: tuple[Mapping[str, Any], ...] = ()

    def create_table_kwargs(self, table_name: str) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "TableName": table_name,
            "KeySchema": [dict(k) for k in self.key_schema],
            "AttributeDefinitions": [dict(a) for a in self.attribute_definitions],
            "BillingMode": "PAY_PER_REQUEST",
        }
        if self.global_secondary_indexes:
            kwargs["GlobalSecondaryIndexes"] = [_index(i) for i in self.global_secondary_indexes]
        if self.local_secondary_indexes:
            kwargs["LocalSecondaryIndexes"] = [_index(i) for i in self.local_secondary_indexes]
        return kwargs


def _index(index: Mapping[str, Any]) -> dict[str, Any]:
    """Keep what CreateTable accepts; throughput is irrelevant with on-demand billing."""
    kept = {k: index[k] for k in ("IndexName", "KeySchema", "Projection") if k in index}
    kept.setdefault("Projection", {"ProjectionType": "ALL"})
    return kept


@dataclass(frozen=True)
class SamTemplate:
    """The parts of ``template.yaml`` the local stack uses, plus the raw document for the rest."""

    path: Path
    document: Mapping[str, Any]
    parameters: Mapping[str, Parameter]
    buckets: tuple[str, ...]
    tables: Mapping[str, TableSpec]
    functions: Mapping[str, FunctionSpec]
    resource_types: Mapping[str, str] = field(default_factory=dict)

    @property
    def root(self) -> Path:
        return self.path.parent

    def function(self, logical_id: str) -> FunctionSpec:
        try:
            return self.functions[logical_id]
        except KeyError:
            raise TemplateError(f"no function {logical_id!r} in {self.path}") from None

    def table(self, logical_id: str | None = None) -> TableSpec:
        """The table called ``logical_id``, or the only table when there is just one."""
        return _one(self.tables, logical_id, "table", self.path)

    def bucket(self, logical_id: str | None = None) -> str:
        """The bucket's logical id; the only bucket when there is just one."""
        return _one({b: b for b in self.buckets}, logical_id, "bucket", self.path)

    def s3_routes(self) -> Iterator[tuple[FunctionSpec, S3Event]]:
        for spec in self.functions.values():
            for event in spec.s3_events:
                yield spec, event

    def api_routes(self) -> Iterator[tuple[FunctionSpec, ApiEvent]]:
        for spec in self.functions.values():
            for event in spec.api_events:
                yield spec, event

    def http_api_routes(self) -> Iterator[tuple[FunctionSpec, ApiEvent]]:
        for spec in self.functions.values():
            for event in spec.http_api_events:
                yield spec, event


def _one(items: Mapping[str, Any], key: str | None, kind: str, path: Path) -> Any:
    if key is not None:
        if key not in items:
            raise TemplateError(f"no {kind} {key!r} in {path}")
        return items[key]
    if len(items) != 1:
        raise TemplateError(f"{path} has {len(items)} {kind}s; name the one you mean")
    return next(iter(items.values()))


def load_template(path: str | Path) -> SamTemplate:
    """Read ``path`` (a SAM template) into a :class:`SamTemplate`."""
    path = Path(path).resolve()
    document = load_yaml(path)
    resources: Mapping[str, Any] = document.get("Resources") or {}
    function_globals = (document.get("Globals") or {}).get("Function") or {}
    parameters = {
        name: Parameter(name, str(body.get("Type", "String")), _default(body.get("Default")))
        for name, body in (document.get("Parameters") or {}).items()
    }
    functions = {
        logical_id: _function_spec(logical_id, body, function_globals, path.parent)
        for logical_id, body in resources.items()
        if body.get("Type") in FUNCTION_TYPES
    }
    tables = {
        logical_id: _table_spec(logical_id, body.get("Properties") or {})
        for logical_id, body in resources.items()
        if body.get("Type") in TABLE_TYPES
    }
    buckets = tuple(logical_id for logical_id, body in resources.items() if body.get("Type") == BUCKET_TYPE)
    return SamTemplate(
        path=path,
        document=document,
        parameters=parameters,
        buckets=buckets,
        tables=tables,
        functions=functions,
        resource_types={logical_id: str(body.get("Type")) for logical_id, body in resources.items()},
    )


def _default(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


def _function_spec(
    logical_id: str, body: Mapping[str, Any], globals_: Mapping[str, Any], root: Path
) -> FunctionSpec:
    props: Mapping[str, Any] = body.get("Properties") or {}

    def prop(name: str, default: Any) -> Any:
        return props.get(name, globals_.get(name, default))

    code_uri = props.get("CodeUri", globals_.get("CodeUri"))
    if not isinstance(code_uri, str):
        raise TemplateError(f"{logical_id}: CodeUri must be a local folder to run locally")
    environment = {
        **((globals_.get("Environment") or {}).get("Variables") or {}),
        **((props.get("Environment") or {}).get("Variables") or {}),
    }
    # SAM appends function layers to the Globals ones rather than replacing them.
    layers = (*(globals_.get("Layers") or ()), *(props.get("Layers") or ()))
    events: Mapping[str, Any] = props.get("Events") or {}
    invoke_config = prop("EventInvokeConfig", {}) or {}
    return FunctionSpec(
        logical_id=logical_id,
        code_uri=(root / code_uri).resolve(),
        handler=str(prop("Handler", "app.lambda_handler")),
        environment=environment,
        timeout=int(prop("Timeout", DEFAULT_TIMEOUT_SECONDS)),
        memory_size=int(prop("MemorySize", DEFAULT_MEMORY_MB)),
        layers=layers,
        s3_events=tuple(
            _s3_event(name, e.get("Properties") or {}) for name, e in events.items() if e.get("Type") == "S3"
        ),
        api_events=tuple(
            _api_event(name, e.get("Properties") or {})
            for name, e in events.items()
            if e.get("Type") == "Api"
        ),
        http_api_events=tuple(
            _http_api_event(name, e.get("Properties") or {})
            for name, e in events.items()
            if e.get("Type") == "HttpApi"
        ),
        max_retry_attempts=int(invoke_config.get("MaximumRetryAttempts", DEFAULT_ASYNC_RETRIES)),
    )


def _s3_event(name: str, props: Mapping[str, Any]) -> S3Event:
    bucket = props.get("Bucket")
    if not (isinstance(bucket, dict) and "Ref" in bucket):
        raise TemplateError(f"S3 event {name}: Bucket must be !Ref to a bucket in the template")
    events = props.get("Events") or []
    rules = ((props.get("Filter") or {}).get("S3Key") or {}).get("Rules") or []
    by_name = {str(rule["Name"]).lower(): str(rule["Value"]) for rule in rules}
    return S3Event(
        name=name,
        bucket=str(bucket["Ref"]),
        events=tuple([events] if isinstance(events, str) else events),
        prefix=by_name.get("prefix", ""),
        suffix=by_name.get("suffix", ""),
    )


def _api_event(name: str, props: Mapping[str, Any]) -> ApiEvent:
    rest_api = props.get("RestApiId")
    return ApiEvent(
        name=name,
        method=str(props.get("Method", "ANY")).upper(),
        path=str(props["Path"]),
        rest_api_id=str(rest_api["Ref"]) if isinstance(rest_api, dict) and "Ref" in rest_api else None,
    )


def _http_api_event(name: str, props: Mapping[str, Any]) -> ApiEvent:
    """No Path and Method: the ``$default`` route, which every method and path reaches."""
    api = props.get("ApiId")
    return ApiEvent(
        name=name,
        method=str(props.get("Method", "ANY")).upper(),
        path=str(props.get("Path", "$default")),
        rest_api_id=str(api["Ref"]) if isinstance(api, dict) and "Ref" in api else None,
    )


def _table_spec(logical_id: str, props: Mapping[str, Any]) -> TableSpec:
    if "KeySchema" not in props:  # AWS::Serverless::SimpleTable
        primary = props.get("PrimaryKey") or {"Name": "id", "Type": "String"}
        attribute_type = {"String": "S", "Number": "N", "Binary": "B"}[primary.get("Type", "String")]
        return TableSpec(
            logical_id,
            key_schema=({"AttributeName": primary["Name"], "KeyType": "HASH"},),
            attribute_definitions=({"AttributeName": primary["Name"], "AttributeType": attribute_type},),
        )
    return TableSpec(
        logical_id,
        key_schema=tuple(props["KeySchema"]),
        attribute_definitions=tuple(props.get("AttributeDefinitions") or ()),
        global_secondary_indexes=tuple(props.get("GlobalSecondaryIndexes") or ()),
        local_secondary_indexes=tuple(props.get("LocalSecondaryIndexes") or ()),
    )


# --- resolving values ------------------------------------------------------------------
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
