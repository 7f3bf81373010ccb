"""Safe URL fetching: every way a stranger's URL could reach something private is refused.

The SSRF table needs no network: literal addresses are parsed, never resolved, and names are
resolved through a monkeypatched ``socket.getaddrinfo`` (or ``localhost``). Behaviour on the
wire (allow-list, redirects, slow and endless bodies, liars, TLS) runs against a loopback
server in a thread.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import TEST_BUCKET
from tests.unit.http_source import (
    SourceServer,
    body,
    declared,
    endless,
    make_certificate,
    redirect,
    status,
    trickle_body,
    trickle_headers,
)
from vodcover.domain.file_names import safe_file_name
from vodcover.net import http_get
from vodcover.net.addresses import is_public_address
from vodcover.net.fetch import fetch_bytes, open_stream
from vodcover.net.url_policy import HttpTarget, S3Target, UrlPolicy, check_url, source_url_policy

FORBIDDEN = "CoverUrl.Forbidden"
UNREACHABLE = "CoverUrl.Unreachable"
TOO_LARGE = "InvalidImage.TooLarge"

COVER_POLICY = UrlPolicy(allow_hosts=frozenset(), media_bucket=TEST_BUCKET)
SOURCE_POLICY = source_url_policy(COVER_POLICY)


def error_code(url: str, policy: UrlPolicy = COVER_POLICY) -> str:
    with pytest.raises(Exception) as caught:
        check_url(url, policy)
    return str(getattr(caught.value, "code", repr(caught.value)))


# --- the SSRF table ----------------------------------------------------------------------
SSRF_CASES = [
    # loopback, in every spelling a resolver or browser accepts
    ("loopback", "https://127.0.0.1/"),
    ("loopback short", "https://127.1/"),
    ("loopback hex", "https://0x7f000001/"),
    ("loopback decimal", "https://2130706433/"),
    ("loopback octal", "https://0177.0.0.1/"),
    ("loopback mixed", "https://0x7f.0.0.01/"),
    ("loopback trailing dot", "https://127.0.0.1./"),
    ("loopback fullwidth dots", "https://127\u30020\u30020\u30021/"),
    ("this host", "https://0.0.0.0/"),
    ("this host short", "https://0/"),
    ("loopback name", "https://localhost/"),
    ("loopback name upper, dot", "https://LOCALHOST./"),
    ("ipv6 loopback", "https://[::1]/"),
    ("ipv6 unspecified", "https://[::]/"),
    # private networks
    ("rfc1918 10/8", "https://10.0.0.1/"),
    ("rfc1918 172.16/12", "https://172.16.5.4/"),
    ("rfc1918 192.168/16", "https://192.168.1.1/"),
    ("cgnat", "https://100.64.0.1/"),
    ("ipv6 ula", "https://[fc00::1]/"),
    ("ipv6 ula fd", "https://[fd12:3456::1]/"),
    ("ipv6 site-local", "https://[fec0::1]/"),
    # link-local and cloud metadata
    ("metadata", "https://169.254.169.254/latest/meta-data/"),
    ("metadata decimal", "https://2852039166/"),
    ("metadata ipv6 (ec2)", "https://[fd00:ec2::254]/"),
    ("ipv6 link-local", "https://[fe80::1]/"),
    ("ipv6 zone id", "https://[fe80::1%25eth0]/"),
    # multicast, reserved, special-purpose
    ("multicast", "https://224.0.0.1/"),
    ("ipv6 multicast", "https://[ff02::1]/"),
    ("reserved", "https://240.0.0.1/"),
    ("broadcast", "https://255.255.255.255/"),
    ("benchmarking", "https://198.18.0.1/"),
    ("ipv6 benchmarking", "https://[2001:2::1]/"),
    ("documentation", "https://192.0.2.1/"),
    ("ipv6 documentation", "https://[2001:db8::1]/"),
    ("ietf protocol assignments", "https://192.0.0.8/"),
    # IPv4 smuggled inside IPv6
    ("ipv4-mapped loopback", "https://[::ffff:127.0.0.1]/"),
    ("ipv4-mapped hex", "https://[::ffff:7f00:1]/"),
    ("ipv4-mapped metadata", "https://[::ffff:169.254.169.254]/"),
    ("ipv4-compatible", "https://[::127.0.0.1]/"),
    ("6to4 metadata", "https://[2002:a9fe:a9fe::1]/"),
    ("6to4 private", "https://[2002:c0a8:101::]/"),
    ("teredo", "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/"),
    ("nat64 metadata", "https://[64:ff9b::a9fe:a9fe]/"),
    ("nat64 local-use", "https://[64:ff9b:1::a00:1]/"),
    # schemes other than https
    ("file", "file:///etc/passwd"),
    ("gopher", "gopher://example.com:70/_GET"),
    ("ftp", "ftp://example.com/pub/cover.jpg"),
    ("data", "data:image/png;base64,iVBORw0KGgo="),
    ("javascript", "javascript:alert(1)"),
    ("dict", "dict://example.com:11211/stat"),
    ("plain http", "http://example.com/cover.jpg"),
    ("no scheme", "//example.com/cover.jpg"),
    # user info and parser confusion
    ("userinfo", "https://example.com@127.0.0.1/"),
    ("user and password", "https://user:pass@example.com/"),
    ("empty userinfo", "https://@example.com/"),
    ("backslash", "https://example.com\\@127.0.0.1/"),
    ("space", "https://exa mple.com/"),
    ("newline", "https://example.com/\r\nX-Injected: 1"),
    ("tab", "https://example.com\t/"),
    ("nul", "https://example.com/\x00"),
    ("unicode line separator", "https://example.com/\u2028"),
    ("empty host", "https:///cover.jpg"),
    ("opaque", "https:example.com"),
    ("port zero", "https://example.com:0/"),
    ("port too big", "https://example.com:65536/"),
    ("port negative", "https://example.com:-1/"),
    ("port empty", "https://example.com:/"),
    ("port not a number", "https://example.com:https/"),
    ("unclosed bracket", "https://[::1/"),
    ("percent in host", "https://exa%6dple.com/"),
    ("five-part address", "https://1.2.3.4.5/"),
    ("octet too big", "https://256.0.0.1/"),
    ("bad hex number", "https://0x7g.0.0.1/"),
    ("empty label", "https://example..com/"),
    ("too long", "https://example.com/" + "a" * 9000),
    ("empty", ""),
    # s3:// only for the media bucket
    ("other bucket", "s3://someone-elses-bucket/cover.jpg"),
    ("no key", f"s3://{TEST_BUCKET}/"),
    ("s3 with query", f"s3://{TEST_BUCKET}/cover.jpg?versionId=1"),
    ("s3 with userinfo", f"s3://x@{TEST_BUCKET}/cover.jpg"),
]


@pytest.mark.parametrize(("case", "url"), SSRF_CASES, ids=[case for case, _ in SSRF_CASES])
def test_hostile_url_is_forbidden(case: str, url: str) -> None:
    # Given a URL naming something private or parsed ambiguously; When it is checked
    # Then it is refused with the stable code, before any connection is made
    assert error_code(url) == FORBIDDEN


@pytest.mark.parametrize(
    "url", ["https://127.0.0.1/", "file:///etc/passwd", "https://a@b.example/", "s3://other/k"]
)
def test_pull_sources_are_refused_with_their_own_code(url: str) -> None:
    assert error_code(url, SOURCE_POLICY) == "SourceUrl.Forbidden"


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("https://8.8.8.8/a.jpg", "8.8.8.8"),
        ("HTTPS://0x08080808/a.jpg", "8.8.8.8"),
        ("https://[2001:4860:4860::8888]:8443/a.jpg", "2001:4860:4860::8888"),
        ("https://[::ffff:8.8.8.8]/a.jpg", "::ffff:808:808"),
        ("https://[64:ff9b::808:808]/a.jpg", "64:ff9b::808:808"),
    ],
)
def test_public_literal_addresses_pass(url: str, address: str) -> None:
    target = check_url(url, COVER_POLICY)
    assert isinstance(target, HttpTarget)
    assert target.addresses == (ipaddress.ip_address(address),)


def fake_resolver(table: dict[str, list[str]]) -> Any:
    def getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (
                socket.AF_INET6 if ":" in address else socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (address, port),
            )
            for address in table[host]
        ]

    return getaddrinfo


@pytest.fixture
def resolver(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        fake_resolver(
            {
                "intranet.example": ["10.1.2.3"],
                "metadata.example": ["169.254.169.254"],
                "v6private.example": ["fd00::5"],
                "mixed.example": ["93.184.215.14", "192.168.0.10"],
                "public.example": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
            }
        ),
    )


@pytest.mark.usefixtures("resolver")
@pytest.mark.parametrize(
    "host", ["intranet.example", "metadata.example", "v6private.example", "mixed.example"]
)
def test_a_name_resolving_to_any_private_address_is_forbidden(host: str) -> None:
    assert error_code(f"https://{host}/cover.jpg") == FORBIDDEN


@pytest.mark.usefixtures("resolver")
def test_a_name_resolving_only_to_public_addresses_passes_with_all_of_them() -> None:
    target = check_url("https://Public.Example./cover.jpg?size=2", COVER_POLICY)
    assert isinstance(target, HttpTarget)
    assert (target.host, target.port, target.request_target) == ("public.example", 443, "/cover.jpg?size=2")
    assert len(target.addresses) == 2


@pytest.mark.usefixtures("resolver")
def test_an_unknown_name_is_unreachable() -> None:
    assert error_code("https://nowhere.example/cover.jpg") == UNREACHABLE


def test_a_hanging_resolver_is_cut_short(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: time.sleep(2))
    started = time.monotonic()
    assert error_code("https://slow.example/", UrlPolicy(frozenset(), TEST_BUCKET, resolve_timeout=0.2)) == (
        UNREACHABLE
    )
    assert time.monotonic() - started < 1.0


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_every_ipv4_embedding_is_judged_by_its_ipv4_address(value: int) -> None:
    # The same verdict for a.b.c.d, ::ffff:a.b.c.d, 64:ff9b::a.b.c.d and 2002:a.b.c.d::
    v4 = ipaddress.IPv4Address(value)
    verdict = is_public_address(v4)
    assert is_public_address(ipaddress.IPv6Address(0xFFFF_0000_0000 | value)) == verdict
    assert is_public_address(ipaddress.IPv6Address((0x64FF9B << 96) | value)) == verdict
    assert is_public_address(ipaddress.IPv6Address((0x2002 << 112) | (value << 80))) == verdict


def test_s3_urls_of_the_media_bucket_name_a_key() -> None:
    assert check_url(f"s3://{TEST_BUCKET}/covers/a%20b.jpg", COVER_POLICY) == S3Target(
        TEST_BUCKET, "covers/a b.jpg"
    )


# --- on the wire: the loopback server ----------------------------------------------------
@pytest.fixture
def server() -> Iterator[SourceServer]:
    with SourceServer() as running:
        yield running


def allowing(server: SourceServer, policy: UrlPolicy = COVER_POLICY, **changes: Any) -> UrlPolicy:
    return UrlPolicy(
        allow_hosts=frozenset({server.authority}),
        media_bucket=policy.media_bucket,
        forbidden=policy.forbidden,
        unreachable=policy.unreachable,
        too_large=policy.too_large,
        **changes,
    )


def fetch_code(url: str, policy: UrlPolicy, *, max_bytes: int = 1024, timeout: float = 3.0) -> str:
    with pytest.raises(Exception) as caught:
        fetch_bytes(url, policy, max_bytes=max_bytes, timeout=timeout)
    return str(getattr(caught.value, "code", repr(caught.value)))


def test_loopback_is_refused_unless_allow_listed(server: SourceServer) -> None:
    url = server.add("/cover.jpg", body(b"\xff\xd8jpeg", "image/jpeg"))
    assert fetch_code(url, COVER_POLICY) == FORBIDDEN
    assert server.requests == []  # refused before connecting


def test_an_allow_listed_host_may_use_plain_http(server: SourceServer) -> None:
    url = server.add("/cover.jpg", body(b"\xff\xd8jpeg", "image/JPEG; charset=binary"))
    fetched = fetch_bytes(url, allowing(server), max_bytes=1024, timeout=3)
    assert (fetched.data, fetched.content_type, fetched.final_url) == (b"\xff\xd8jpeg", "image/jpeg", url)


def test_the_allow_list_names_a_port_not_just_a_host(server: SourceServer) -> None:
    policy = UrlPolicy(allow_hosts=frozenset({f"127.0.0.1:{server.port + 1}"}), media_bucket=TEST_BUCKET)
    assert fetch_code(server.add("/a", body(b"a")), policy) == FORBIDDEN


@pytest.mark.parametrize(
    "location",
    [
        "http://169.254.169.254/latest/meta-data/",
        "https://169.254.169.254/latest/meta-data/",
        "http://localhost:{port}/secret",  # same server, but by a name that is not listed
        "https://[::1]:{port}/secret",
        "http://10.0.0.1/",
        "file:///etc/passwd",
        "s3://" + TEST_BUCKET + "/covers/x.jpg",
        "https://user@example.com/",
    ],
)
def test_a_redirect_to_a_forbidden_place_is_refused_at_the_hop(server: SourceServer, location: str) -> None:
    url = server.add("/go", redirect(location.format(port=server.port)))
    server.add("/secret", body(b"secret"))
    assert fetch_code(url, allowing(server)) == FORBIDDEN
    assert server.requests == ["/go"]


def test_relative_redirects_on_an_allowed_host_are_followed(server: SourceServer) -> None:
    server.add("/final.jpg", body(b"image"))
    server.add("/two", redirect("/final.jpg", 308))
    url = server.add("/one", redirect("two", 301))
    fetched = fetch_bytes(url, allowing(server), max_bytes=1024, timeout=3)
    assert fetched.data == b"image"
    assert fetched.final_url == server.url("/final.jpg")


def test_redirect_loops_are_bounded(server: SourceServer) -> None:
    url = server.add("/loop", redirect("/loop"))
    assert fetch_code(url, allowing(server, max_redirects=3)) == UNREACHABLE
    assert len(server.requests) == 4  # the first request and three redirects, no more


@pytest.mark.parametrize("code", [404, 403, 500, 304])
def test_an_error_status_is_unreachable_and_says_which(server: SourceServer, code: int) -> None:
    url = server.add("/x", status(code))
    with pytest.raises(Exception, match=str(code)) as caught:
        fetch_bytes(url, allowing(server), max_bytes=1024, timeout=3)
    assert getattr(caught.value, "code", None) == UNREACHABLE


@pytest.mark.parametrize("route", [trickle_body(), trickle_headers()], ids=["body", "headers"])
def test_a_slow_source_hits_the_deadline(server: SourceServer, route: Any) -> None:
    # One byte every 0.1 s never trips a per-read timeout; the whole-fetch deadline must.
    url = server.add("/slow", route)
    started = time.monotonic()
    assert fetch_code(url, allowing(server), timeout=1.0) == UNREACHABLE
    assert time.monotonic() - started < 2.0


def test_a_stalled_source_is_unreachable(server: SourceServer) -> None:
    url = server.add("/stall", trickle_body(interval=2.0, count=3))
    with (
        pytest.raises(Exception) as caught,
        open_stream(
            url, allowing(server, SOURCE_POLICY), timeout=10, max_bytes=1024, stall_timeout=0.3
        ) as stream,
    ):
        b"".join(stream.iter_chunks())
    assert getattr(caught.value, "code", None) == "SourceUrl.Unreachable"


@pytest.mark.parametrize(
    ("policy", "code"), [(COVER_POLICY, TOO_LARGE), (SOURCE_POLICY, "SourceUrl.TooLarge")]
)
def test_an_endless_body_stops_at_the_cap(server: SourceServer, policy: UrlPolicy, code: str) -> None:
    url = server.add("/endless", endless())
    assert fetch_code(url, allowing(server, policy), max_bytes=200_000) == code


def test_a_body_over_the_cap_is_refused_from_its_content_length(server: SourceServer) -> None:
    url = server.add("/big", body(b"x" * 2048))
    assert fetch_code(url, allowing(server), max_bytes=2047) == TOO_LARGE
    assert fetch_bytes(url, allowing(server), max_bytes=2048, timeout=3).data == b"x" * 2048


def test_a_content_length_lie_never_gets_more_than_it_declared(server: SourceServer) -> None:
    url = server.add("/lie", declared(10, b"y" * 100_000))
    assert fetch_bytes(url, allowing(server), max_bytes=1024, timeout=3).data == b"y" * 10


def test_a_body_shorter_than_declared_is_unreachable(server: SourceServer) -> None:
    url = server.add("/short", declared(1000, b"z" * 10))
    assert fetch_code(url, allowing(server)) == UNREACHABLE


def test_a_huge_declared_length_is_refused_before_reading(server: SourceServer) -> None:
    url = server.add("/huge", declared(10**12, b""))
    assert fetch_code(url, allowing(server)) == TOO_LARGE


def test_nothing_listens_is_unreachable(server: SourceServer) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    policy = UrlPolicy(allow_hosts=frozenset({f"127.0.0.1:{free}"}), media_bucket=TEST_BUCKET)
    assert fetch_code(f"http://127.0.0.1:{free}/x", policy) == UNREACHABLE


def test_a_stream_describes_its_source(server: SourceServer) -> None:
    url = server.add(
        "/dl",
        body(b"v" * 5000, "video/mp4", Content_Disposition='attachment; filename="../../etc/My Clip.mp4"'),
    )
    with open_stream(url, allowing(server, SOURCE_POLICY), timeout=3, max_bytes=10_000) as stream:
        chunks = list(stream.iter_chunks(1024))
    assert (stream.content_length, stream.content_type, stream.file_name) == (
        5000,
        "video/mp4",
        "My_Clip.mp4",
    )
    assert b"".join(chunks) == b"v" * 5000
    assert max(len(chunk) for chunk in chunks) <= 1024


def test_a_stream_names_its_file_after_the_url_path(server: SourceServer) -> None:
    url = server.add("/media/clip%20one.mov", body(b"m"))
    with open_stream(url + "?sig=1", allowing(server, SOURCE_POLICY), timeout=3, max_bytes=10) as stream:
        assert stream.file_name == "clip_one.mov"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\clip.mp4", "clip.mp4"),
        (".hidden", "hidden"),
        ("..", "download"),
        ("", "download"),
        ("a\x00b\nc.mp4", "a_b_c.mp4"),
        ("视频.mp4", "视频.mp4"),
        ("x" * 300 + ".mp4", "x" * 116 + ".mp4"),
    ],
)
def test_file_names_from_strangers_are_made_plain(raw: str, expected: str) -> None:
    assert safe_file_name(raw) == expected


# --- TLS: verification on, connected by address, named by host --------------------------
@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[SourceServer, Path]]:
    certificate = make_certificate(tmp_path, "localhost")
    with SourceServer(tls=certificate.server_context) as running:
        running.add("/cover.jpg", body(b"over tls", "image/jpeg"))
        yield running, certificate.ca_file


def trusting(ca_file: Path) -> Any:
    def context() -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(ca_file))

    return context


def test_https_verifies_the_certificate_for_the_name_while_connecting_to_the_checked_address(
    tls_server: tuple[SourceServer, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, ca_file = tls_server
    monkeypatch.setattr(http_get, "_tls_context", trusting(ca_file))
    policy = UrlPolicy(allow_hosts=frozenset({f"localhost:{server.port}"}), media_bucket=TEST_BUCKET)
    fetched = fetch_bytes(server.url("/cover.jpg", host="localhost"), policy, max_bytes=100, timeout=3)
    assert fetched.data == b"over tls"


def test_an_untrusted_certificate_is_unreachable(tls_server: tuple[SourceServer, Path]) -> None:
    server, _ = tls_server
    policy = UrlPolicy(allow_hosts=frozenset({f"localhost:{server.port}"}), media_bucket=TEST_BUCKET)
    assert fetch_code(server.url("/cover.jpg", host="localhost"), policy) == UNREACHABLE


def test_a_certificate_for_another_name_is_unreachable(
    tls_server: tuple[SourceServer, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, ca_file = tls_server
    monkeypatch.setattr(http_get, "_tls_context", trusting(ca_file))
    assert fetch_code(server.url("/cover.jpg"), allowing(server)) == UNREACHABLE  # cert says localhost


# --- s3:// -------------------------------------------------------------------------------
@pytest.mark.usefixtures("aws")
def test_s3_urls_read_the_media_bucket() -> None:
    boto3.client("s3").put_object(
        Bucket=TEST_BUCKET, Key="covers/v/a.png", Body=b"png!", ContentType="image/png"
    )
    fetched = fetch_bytes(f"s3://{TEST_BUCKET}/covers/v/a.png", COVER_POLICY, max_bytes=100, timeout=3)
    assert (fetched.data, fetched.content_type) == (b"png!", "image/png")


@pytest.mark.usefixtures("aws")
def test_s3_objects_over_the_cap_are_too_large_and_missing_ones_unreachable() -> None:
    s3 = boto3.client("s3")
    s3.put_object(Bucket=TEST_BUCKET, Key="big.bin", Body=b"b" * 101)
    s3.put_object(Bucket=TEST_BUCKET, Key="empty.bin", Body=b"")
    assert fetch_code(f"s3://{TEST_BUCKET}/big.bin", COVER_POLICY, max_bytes=100) == TOO_LARGE
    assert fetch_code(f"s3://{TEST_BUCKET}/missing.bin", COVER_POLICY) == UNREACHABLE
    assert fetch_bytes(f"s3://{TEST_BUCKET}/empty.bin", COVER_POLICY, max_bytes=100, timeout=3).data == b""
    assert fetch_code("s3://another-bucket/big.bin", COVER_POLICY) == FORBIDDEN
