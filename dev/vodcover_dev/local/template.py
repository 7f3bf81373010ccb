"""A typed, read-only view of the SAM template, so the local stack runs what gets deployed.

The local stack never hard-codes a function, route, trigger or table key: it reads them from
``template.yaml`` here. CloudFormation short tags (``!Ref``, ``!Sub``…) load as their long-form
dicts (``{"Ref": ...}``, ``{"Fn::Sub": ...}``), so templates written either way look the same
to :class:`~vodcover_dev.local.template_values.Resolver`, which turns values into what they mean
locally.
"""

from __future__ import annotations

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


def function_events(template: SamTemplate, event_type: str) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    """``(function, event name, Properties)`` of every function event of ``event_type``
    (``Schedule``, ``EventBridgeRule``…), as written in the template."""
    for logical_id, resource in (template.document.get("Resources") or {}).items():
        if logical_id not in template.functions:
            continue
        events: Mapping[str, Any] = (resource.get("Properties") or {}).get("Events") or {}
        for name, event in events.items():
            if event.get("Type") == event_type:
                yield logical_id, name, event.get("Properties") or {}


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
