"""The CDN in template.yaml (issue 16), read as a specification: what CloudFront may read, and how.

The template is resolved for each value of the ``Cdn`` parameter (conditions evaluated, ``!If``
branches chosen, ``AWS::NoValue`` dropped), then the bucket policy is evaluated against real keys
built by ``vodcover.domain.keys``: the CDN reads every derived image and nothing else.
"""

from __future__ import annotations

import fnmatch
import re
from typing import Any

import pytest

from tests.test_template import TEMPLATE_PATH, as_list, check_build, sub_text
from vodcover.domain import keys

CDN_RESOURCES = {
    "MediaOriginAccessControl",
    "MediaResponseHeadersPolicy",
    "MediaDistribution",
    "MediaUrlSigningKey",
    "MediaUrlSigningKeyGroup",
}
BUCKET_ARN = "${MediaBucket.Arn}"
OUR_DISTRIBUTION = "arn:aws:cloudfront::111122223333:distribution/EOURS"
OTHER_DISTRIBUTION = "arn:aws:cloudfront::444455556666:distribution/ETHEIRS"


def derived_prefixes() -> set[str]:
    """The first folder of every key vodcover writes itself (keys.py is the one place for them)."""
    written = [
        keys.snapshot_key("v", 0, b"jpeg"),
        keys.cover_key("v", "d" * 32, "jpg"),
        keys.smart_key("v", 0, b"jpeg"),
        keys.animated_key("v", b"webp", "webp"),
        keys.embed_key("v"),
        keys.storyboard_sheet_key("v", "r", 0),
        keys.storyboard_vtt_key("v", "r"),
    ]
    prefixes = {key.split("/", 1)[0] + "/" for key in written}
    assert prefixes == set(keys.DERIVED_PREFIXES)
    return prefixes


@pytest.fixture(scope="module")
def raw_template() -> dict[str, Any]:
    return check_build.load_template(TEMPLATE_PATH)


class Resolved:
    """The template as CloudFormation would see it for the given parameter values."""

    def __init__(self, template: dict[str, Any], parameters: dict[str, str]) -> None:
        self.template = template
        self.parameters = {
            name: str(spec.get("Default", "")) for name, spec in template["Parameters"].items()
        } | parameters
        self.conditions: dict[str, bool] = {}
        for name in template.get("Conditions", {}):
            self.condition(name)

    def condition(self, name: str) -> bool:
        if name not in self.conditions:
            self.conditions[name] = bool(self.value(self.template["Conditions"][name]))
        return self.conditions[name]

    def value(self, node: Any) -> Any:
        if isinstance(node, list):
            return [v for v in (self.value(n) for n in node) if v is not _NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((key, arg),) = node.items()
            if key == "Ref" and arg == "AWS::NoValue":
                return _NO_VALUE
            if key == "Ref" and arg in self.parameters:
                return self.parameters[arg]
            if key == "Fn::Equals":
                left, right = (self.value(a) for a in arg)
                return left == right
            if key == "Fn::Not":
                return not self.value(arg[0])
            if key == "Fn::And":
                return all(self.value(a) for a in arg)
            if key == "Fn::Or":
                return any(self.value(a) for a in arg)
            if key in {"Fn::Condition", "Condition"}:  # the loader writes !Condition either way
                return self.condition(arg)
            if key == "Fn::If":
                name, when_true, when_false = arg
                return self.value(when_true if self.condition(name) else when_false)
        return {k: v for k, v in ((k, self.value(v)) for k, v in node.items()) if v is not _NO_VALUE}

    def resources(self) -> dict[str, Any]:
        found = {}
        for name, resource in self.template["Resources"].items():
            if "Condition" in resource and not self.condition(resource["Condition"]):
                continue
            found[name] = self.value(resource)
        return found

    def bucket_statements(self) -> list[dict[str, Any]]:
        statements: list[dict[str, Any]] = self.resources()["MediaBucketPolicy"]["Properties"][
            "PolicyDocument"
        ]["Statement"]
        return statements


_NO_VALUE = object()


def allows(statements: list[dict[str, Any]], principal: str, action: str, key: str, source_arn: str) -> bool:
    """IAM's answer for one request: an explicit Deny wins, then any Allow, else the implicit deny.

    Only the parts of the grammar the bucket policy uses are read (service principals, actions with
    wildcards, object ARNs with ``*``, ``StringEquals`` on ``AWS:SourceArn``, ``aws:SecureTransport``
    for an HTTPS request).
    """
    arn = f"{BUCKET_ARN}/{key}"

    def applies(statement: dict[str, Any]) -> bool:
        who = statement["Principal"]
        if who != "*" and principal not in as_list(who.get("Service", [])):
            return False
        if not any(fnmatch.fnmatchcase(action, a) for a in as_list(statement["Action"])):
            return False
        resources = [
            sub_text(r) if isinstance(r, dict) and "Fn::Sub" in r else r
            for r in as_list(statement["Resource"])
        ]
        if not any(isinstance(r, str) and fnmatch.fnmatchcase(arn, r) for r in resources):
            return False
        for operator, tests in statement.get("Condition", {}).items():
            for name, expected in tests.items():
                if operator == "Bool" and name == "aws:SecureTransport":
                    if expected != "true":
                        return False  # the request came over HTTPS
                elif operator == "StringEquals" and name == "AWS:SourceArn":
                    distribution = sub_text(expected).replace(
                        "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${MediaDistribution}",
                        OUR_DISTRIBUTION,
                    )
                    if source_arn != distribution:
                        return False
                else:
                    raise AssertionError(
                        f"the policy grew a condition this test cannot read: {operator} {name}"
                    )
        return True

    matching = [s for s in statements if applies(s)]
    return not any(s["Effect"] == "Deny" for s in matching) and any(s["Effect"] == "Allow" for s in matching)


def derived_keys() -> list[str]:
    cover = keys.cover_key("v1", "0" * 32, "jpg")
    return [
        keys.snapshot_key("v1", 0, b"frame 0"),
        keys.snapshot_key("v1", 31, b"frame 31"),
        cover,
        keys.cover_key("v1", "0" * 32, "png"),
        keys.rendition_key("v1", cover, b"avif bytes", "avif"),
        keys.rendition_key("v1", keys.snapshot_key("v1", 0, b"frame 0"), b"webp bytes", "webp"),
        keys.smart_key("v1", 4, b"candidate 4"),
        keys.animated_key("v1", b"gif", "gif"),
        keys.animated_key("v1", b"webp", "webp"),
        keys.embed_key("v1"),
    ]


def private_keys() -> list[str]:
    return [
        keys.upload_key("v1", "holiday.mp4"),
        keys.upload_key("v1", "snapshots/0.jpg"),  # a derived-looking name inside uploads/
        "uploads/orphan.mp4",
        "library/registered.mp4",  # POST /videos/register: videos may lie anywhere
        "snapshots.mp4",  # a name that starts like a prefix but is not in it
        "coversheet/v1/a.jpg",
        "index.html",
    ]


# --- Cdn=on -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", derived_keys())
def test_the_cdn_reads_every_derived_image(raw_template: dict[str, Any], key: str) -> None:
    statements = Resolved(raw_template, {"Cdn": "on"}).bucket_statements()
    assert allows(statements, "cloudfront.amazonaws.com", "s3:GetObject", key, OUR_DISTRIBUTION)


@pytest.mark.parametrize("key", private_keys())
def test_the_cdn_never_reads_uploads_or_registered_videos(raw_template: dict[str, Any], key: str) -> None:
    statements = Resolved(raw_template, {"Cdn": "on"}).bucket_statements()
    assert not allows(statements, "cloudfront.amazonaws.com", "s3:GetObject", key, OUR_DISTRIBUTION)


def test_the_grant_is_reads_only_for_this_distribution(raw_template: dict[str, Any]) -> None:
    statements = Resolved(raw_template, {"Cdn": "on"}).bucket_statements()
    cover = keys.cover_key("v1", "0" * 32, "jpg")
    # another account's distribution, pointed at this bucket, reads nothing
    assert not allows(statements, "cloudfront.amazonaws.com", "s3:GetObject", cover, OTHER_DISTRIBUTION)
    # and this one can neither write, delete nor list
    for action in (
        "s3:PutObject",
        "s3:DeleteObject",
        "s3:ListBucket",
        "s3:GetObjectVersion",
        "s3:GetObjectAcl",
    ):
        assert not allows(statements, "cloudfront.amazonaws.com", action, cover, OUR_DISTRIBUTION), action


def test_the_allowed_prefixes_are_exactly_the_derived_ones(raw_template: dict[str, Any]) -> None:
    statements = Resolved(raw_template, {"Cdn": "on"}).bucket_statements()
    (grant,) = [s for s in statements if s["Effect"] == "Allow"]
    assert grant["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert as_list(grant["Action"]) == ["s3:GetObject"]
    prefixes = {
        sub_text(r).removeprefix(BUCKET_ARN + "/").removesuffix("*") for r in as_list(grant["Resource"])
    }
    assert prefixes == derived_prefixes()
    assert keys.UPLOADS_PREFIX not in prefixes


def test_the_distribution_is_https_only_read_only_and_behind_origin_access_control(
    raw_template: dict[str, Any],
) -> None:
    resources = Resolved(raw_template, {"Cdn": "on"}).resources()
    assert CDN_RESOURCES - {"MediaUrlSigningKey", "MediaUrlSigningKeyGroup"} <= set(resources)
    config = resources["MediaDistribution"]["Properties"]["DistributionConfig"]
    (origin,) = config["Origins"]
    assert sub_text(origin["DomainName"]).startswith(
        "${AWS::StackName}-media-${AWS::AccountId}-${AWS::Region}.s3."
    )
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["MediaOriginAccessControl", "Id"]}
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}
    oac = resources["MediaOriginAccessControl"]["Properties"]["OriginAccessControlConfig"]
    assert (oac["OriginAccessControlOriginType"], oac["SigningBehavior"], oac["SigningProtocol"]) == (
        "s3",
        "always",
        "sigv4",
    )
    for behavior in [config["DefaultCacheBehavior"], *config.get("CacheBehaviors", [])]:
        assert behavior["ViewerProtocolPolicy"] in {"redirect-to-https", "https-only"}
        assert set(behavior["AllowedMethods"]) == {"GET", "HEAD"}
        assert behavior["Compress"] is True
        assert behavior["ResponseHeadersPolicyId"] == {"Ref": "MediaResponseHeadersPolicy"}
        assert "TrustedKeyGroups" not in behavior  # no signing key given: a public library


def test_the_response_headers_keep_cache_control_and_add_cors_and_nosniff(
    raw_template: dict[str, Any],
) -> None:
    resources = Resolved(raw_template, {"Cdn": "on", "CorsAllowedOrigin": "https://site.example"}).resources()
    policy = resources["MediaResponseHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"]
    assert policy["SecurityHeadersConfig"]["ContentTypeOptions"] == {"Override": True}
    cors = policy["CorsConfig"]
    assert cors["AccessControlAllowOrigins"]["Items"] == ["https://site.example"]
    assert set(cors["AccessControlAllowMethods"]["Items"]) == {"GET", "HEAD"}
    assert cors["AccessControlAllowCredentials"] is False
    # Cache-Control: the origin's (immutable for content-addressed keys) is never overridden
    (cache_control,) = [h for h in policy["CustomHeadersConfig"]["Items"] if h["Header"] == "Cache-Control"]
    assert cache_control["Override"] is False
    assert "immutable" not in cache_control["Value"]


def test_a_private_library_serves_only_signed_urls(raw_template: dict[str, Any]) -> None:
    pem = "-----BEGIN PUBLIC KEY-----\nMIIB...\n-----END PUBLIC KEY-----"
    resolved = Resolved(
        raw_template, {"Cdn": "on", "CdnSigningPublicKey": pem, "CdnSigningPrivateKeySecret": SECRET}
    )
    resources = resolved.resources()
    assert resources["MediaUrlSigningKey"]["Properties"]["PublicKeyConfig"]["EncodedKey"] == pem
    group = resources["MediaUrlSigningKeyGroup"]["Properties"]["KeyGroupConfig"]
    assert group["Items"] == [{"Ref": "MediaUrlSigningKey"}]
    behavior = resources["MediaDistribution"]["Properties"]["DistributionConfig"]["DefaultCacheBehavior"]
    assert behavior["TrustedKeyGroups"] == [{"Ref": "MediaUrlSigningKeyGroup"}]
    # the signed URLs' lifetime is the presigned one's, a parameter the template already bounds
    ttl = raw_template["Parameters"]["UrlTtlSeconds"]
    assert (ttl["MinValue"], ttl["MaxValue"]) == (60, 604800)


def test_the_distribution_domain_is_an_output(raw_template: dict[str, Any]) -> None:
    output = raw_template["Outputs"]["CdnDomainName"]
    assert output["Condition"] == "CdnEnabled"
    assert output["Value"] == {"Fn::GetAtt": ["MediaDistribution", "DomainName"]}


def test_the_cdn_is_on_by_default(raw_template: dict[str, Any]) -> None:
    assert raw_template["Parameters"]["Cdn"]["Default"] == "on"
    assert Resolved(raw_template, {}).condition("CdnEnabled")


# --- Cdn=off ----------------------------------------------------------------------------------------------


def test_cdn_off_creates_no_cloudfront_and_grants_nothing(raw_template: dict[str, Any]) -> None:
    resolved = Resolved(raw_template, {"Cdn": "off", "CdnSigningPublicKey": "a key given by mistake"})
    resources = resolved.resources()
    assert not CDN_RESOURCES & set(resources)
    assert not [r for r in resources.values() if r["Type"].startswith("AWS::CloudFront::")]
    statements = resolved.bucket_statements()
    assert [s["Sid"] for s in statements] == ["DenyInsecureTransport"]  # exactly today's policy
    for key in derived_keys():
        assert not allows(statements, "cloudfront.amazonaws.com", "s3:GetObject", key, OUR_DISTRIBUTION)
    # answers keep presigned URLs, unless CdnBaseUrl (a CDN of the user's own) is given
    assert public_base(raw_template, {"Cdn": "off"}) == ""
    assert (
        public_base(raw_template, {"Cdn": "off", "CdnBaseUrl": "https://img.example"})
        == "https://img.example"
    )


def public_base(raw_template: dict[str, Any], parameters: dict[str, str]) -> Any:
    env = raw_template["Globals"]["Function"]["Environment"]["Variables"]
    return Resolved(raw_template, parameters).value(env["VODCOVER_CDN_BASE_URL"])


def test_answers_point_at_the_distribution_unless_a_cdn_of_ones_own_is_given(
    raw_template: dict[str, Any],
) -> None:
    assert public_base(raw_template, {}) == {"Fn::Sub": "https://${MediaDistribution.DomainName}"}
    assert public_base(raw_template, {"CdnBaseUrl": "https://img.example"}) == "https://img.example"


def test_every_cloudfront_resource_is_behind_the_switch(raw_template: dict[str, Any]) -> None:
    for name, resource in raw_template["Resources"].items():
        if resource["Type"].startswith("AWS::CloudFront::"):
            assert resource.get("Condition") in {"CdnEnabled", "CdnSignedUrls"}, name
    conditions = raw_template["Conditions"]["CdnSignedUrls"]["Fn::And"]
    assert {"Fn::Condition": "CdnEnabled"} in conditions or {"Condition": "CdnEnabled"} in conditions


# --- a private library: signed URLs ------------------------------------------------------------------------

PEM = "-----BEGIN PUBLIC KEY-----\nMIIB...\n-----END PUBLIC KEY-----"
SECRET = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:vodcover/cdn-signing-key-AbCdEf"
SIGNED = {"Cdn": "on", "CdnSigningPublicKey": PEM, "CdnSigningPrivateKeySecret": SECRET}
# The functions whose answers carry URLs: they sign them, and only they may read the key.
URL_HANDING_FUNCTIONS = {
    "VideosApiFunction",
    "CoversApiFunction",
    "AlibabaApiFunction",
    "WebhookDeliveryFunction",  # Alibaba callbacks carry CoverURL and snapshot URLs
}


def refused_by_rules(raw_template: dict[str, Any], parameters: dict[str, str]) -> list[str]:
    """The AssertDescriptions of the template's Rules that these parameter values break."""
    resolved = Resolved(raw_template, parameters)
    broken = []
    for rule in raw_template.get("Rules", {}).values():
        if "RuleCondition" in rule and not resolved.value(rule["RuleCondition"]):
            continue
        broken += [a["AssertDescription"] for a in rule["Assertions"] if not resolved.value(a["Assert"])]
    return broken


def test_signing_needs_both_the_public_key_and_the_private_key_secret(raw_template: dict[str, Any]) -> None:
    assert refused_by_rules(raw_template, SIGNED) == []
    assert refused_by_rules(raw_template, {}) == []  # a public library
    (only_public,) = refused_by_rules(raw_template, {"CdnSigningPublicKey": PEM})
    assert "CdnSigningPrivateKeySecret" in only_public
    (only_secret,) = refused_by_rules(raw_template, {"CdnSigningPrivateKeySecret": SECRET})
    assert "CdnSigningPublicKey" in only_secret
    pattern = re.compile(raw_template["Parameters"]["CdnSigningPrivateKeySecret"]["AllowedPattern"])
    assert pattern.fullmatch(SECRET) and pattern.fullmatch("")
    assert not pattern.fullmatch("vodcover/cdn-signing-key")  # a name, not an ARN: the grant needs the ARN
    assert not pattern.fullmatch("*")


def url_signing_grants(resources: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    grants: dict[str, list[dict[str, Any]]] = {}
    for name, resource in resources.items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        for policy in as_list(resource["Properties"].get("Policies", [])):
            for statement in as_list(policy.get("Statement", [])) if isinstance(policy, dict) else []:
                if any(str(a).startswith("secretsmanager:") for a in as_list(statement["Action"])):
                    grants.setdefault(name, []).append(statement)
    return grants


def test_only_the_url_handing_functions_may_read_the_private_key_and_only_that_secret(
    raw_template: dict[str, Any],
) -> None:
    resources = Resolved(raw_template, SIGNED | {"AlibabaApi": "on"}).resources()
    grants = url_signing_grants(resources)
    assert set(grants) == URL_HANDING_FUNCTIONS
    for statements in grants.values():
        (statement,) = statements
        assert statement["Effect"] == "Allow"
        assert as_list(statement["Action"]) == ["secretsmanager:GetSecretValue"]
        assert as_list(statement["Resource"]) == [SECRET]
    # a public library grants no function any secret
    assert url_signing_grants(Resolved(raw_template, {"AlibabaApi": "on"}).resources()) == {}


def test_the_url_handing_functions_get_the_key_pair_id_and_the_secret(raw_template: dict[str, Any]) -> None:
    resources = Resolved(raw_template, SIGNED | {"AlibabaApi": "on"}).resources()
    for name, resource in resources.items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        variables = resource["Properties"].get("Environment", {}).get("Variables", {})
        if name in URL_HANDING_FUNCTIONS:
            # Ref of an AWS::CloudFront::PublicKey is its id: the Key-Pair-Id of signed URLs
            assert variables["VODCOVER_CDN_SIGNING_KEY_PAIR_ID"] == {"Ref": "MediaUrlSigningKey"}
            assert variables["VODCOVER_CDN_SIGNING_PRIVATE_KEY_SECRET"] == SECRET
        else:
            assert "VODCOVER_CDN_SIGNING_PRIVATE_KEY_SECRET" not in variables, name
    # the key the functions name is the one in the key group the distribution trusts
    assert resources["MediaUrlSigningKeyGroup"]["Properties"]["KeyGroupConfig"]["Items"] == [
        {"Ref": "MediaUrlSigningKey"}
    ]
    public = Resolved(raw_template, {"AlibabaApi": "on"}).resources()
    for name in URL_HANDING_FUNCTIONS:
        variables = public[name]["Properties"]["Environment"]["Variables"]
        assert variables["VODCOVER_CDN_SIGNING_KEY_PAIR_ID"] == ""
        assert variables["VODCOVER_CDN_SIGNING_PRIVATE_KEY_SECRET"] == ""
        assert "MediaUrlSigningKey" not in public
