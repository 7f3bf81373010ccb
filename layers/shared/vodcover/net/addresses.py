"""Which IP addresses a stranger's URL may make us connect to: public unicast, nothing else.

Python's ``is_global`` changed between releases (3.11 calls ``fec0::1``, ``ff02::1``,
``224.0.0.1`` and ``64:ff9b::7f00:1`` global; 3.13 is stricter), so the rules here do not rest
on it alone: IPv4 must be global *and* outside an explicit list of special-purpose blocks,
IPv6 must be in global unicast ``2000::/3`` and outside its special blocks, and every IPv6
form that carries an IPv4 address inside it is judged by that IPv4 address.

Host names that *look like numbers* (``127.1``, ``0x7f000001``, ``2130706433``,
``0177.0.0.1``) are parsed here the way browsers and ``inet_aton`` do (WHATWG URL "IPv4
parser"), so they are checked as the address they mean and never sent to a resolver.
"""

from __future__ import annotations

import ipaddress
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

IPAddress = IPv4Address | IPv6Address

# IANA special-purpose IPv4 blocks (RFC 6890 and successors) plus multicast and reserved.
_IPV4_SPECIAL = tuple(
    IPv4Network(block)
    for block in (
        "0.0.0.0/8",  # "this network", 0.0.0.0 reaches the local host on Linux
        "10.0.0.0/8",  # RFC 1918
        "100.64.0.0/10",  # CGNAT shared address space
        "127.0.0.0/8",  # loopback
        "169.254.0.0/16",  # link-local, incl. 169.254.169.254 cloud metadata
        "172.16.0.0/12",  # RFC 1918
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",  # TEST-NET-1
        "192.31.196.0/24",  # AS112
        "192.52.193.0/24",  # AMT
        "192.88.99.0/24",  # 6to4 relay anycast (deprecated)
        "192.168.0.0/16",  # RFC 1918
        "192.175.48.0/24",  # AS112 direct delegation
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",  # TEST-NET-2
        "203.0.113.0/24",  # TEST-NET-3
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, incl. 255.255.255.255 broadcast
    )
)

_IPV6_GLOBAL_UNICAST = IPv6Network("2000::/3")
_IPV6_SPECIAL = tuple(
    IPv6Network(block)
    for block in (
        "2001::/23",  # IETF protocol assignments: Teredo, benchmarking 2001:2::/48, ORCHID
        "2001:db8::/32",  # documentation
        "2002::/16",  # 6to4 (judged by its embedded IPv4 before this list is consulted)
        "3fff::/20",  # documentation (RFC 9637)
    )
)
_NAT64_WELL_KNOWN = IPv6Network("64:ff9b::/96")
_IPV4_COMPATIBLE = IPv6Network("::/96")  # deprecated ::a.b.c.d, also holds :: and ::1


def is_public_address(address: IPAddress) -> bool:
    """True only for an address on the public internet that no special rule reserves."""
    if isinstance(address, IPv4Address):
        return _is_public_ipv4(address)
    return _is_public_ipv6(address)


def _is_public_ipv4(address: IPv4Address) -> bool:
    return address.is_global and not any(address in block for block in _IPV4_SPECIAL)


def _is_public_ipv6(address: IPv6Address) -> bool:
    if address.scope_id:  # a zone id only means something on a local link
        return False
    embedded = embedded_ipv4(address)
    if embedded is not None:
        return _is_public_ipv4(embedded)
    if address in _IPV4_COMPATIBLE or address.teredo is not None:
        # Teredo hides its client address (obfuscated) and needs a relay we do not trust.
        return False
    return (
        address in _IPV6_GLOBAL_UNICAST
        and address.is_global
        and not address.is_site_local
        and not any(address in block for block in _IPV6_SPECIAL)
    )


def embedded_ipv4(address: IPv6Address) -> IPv4Address | None:
    """The IPv4 address an IPv4-mapped, NAT64 (well-known prefix) or 6to4 address leads to."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64_WELL_KNOWN:
        return IPv4Address(int(address) & 0xFFFF_FFFF)
    return address.sixtofour


def parse_ip_literal(host: str) -> IPAddress | None:
    """An IP address when ``host`` is one (any IPv4 spelling, or IPv6 without brackets).

    Raises ``ValueError`` for a host that ends in a number but is no valid IPv4 address
    (``1.2.3.4.5``, ``256.1.1.1``, ``0x1g``): such a host is neither a name nor an address.
    """
    if ":" in host:
        return ipaddress.ip_address(host)
    if not _ends_in_number(host):
        return None
    return _parse_ipv4_whatwg(host)


def _ends_in_number(host: str) -> bool:
    labels = host.split(".")
    if labels[-1] == "" and len(labels) > 1:
        labels.pop()
    last = labels[-1]
    if last and set(last) <= _DEC_DIGITS:
        return True
    return last[:2].lower() == "0x" and set(last[2:]) <= _HEX_DIGITS


def _parse_ipv4_whatwg(host: str) -> IPv4Address:
    """Dotted forms with 1 to 4 parts, each decimal, octal (leading 0) or hex (0x)."""
    parts = host.split(".")
    if parts[-1] == "" and len(parts) > 1:
        parts.pop()
    if len(parts) > 4 or any(part == "" for part in parts):
        raise ValueError(f"not an IPv4 address: {host!r}")
    numbers = [_parse_ipv4_number(part) for part in parts]
    if any(number > 255 for number in numbers[:-1]) or numbers[-1] >= 256 ** (5 - len(numbers)):
        raise ValueError(f"IPv4 address out of range: {host!r}")
    value = numbers[-1]
    for index, number in enumerate(numbers[:-1]):
        value += number << (8 * (3 - index))
    return IPv4Address(value)


def _parse_ipv4_number(part: str) -> int:
    # Checked by character class: int() alone would accept "+1", "1_0" and non-ASCII digits.
    if part[:2].lower() == "0x":
        digits, base, allowed = part[2:], 16, _HEX_DIGITS
    elif len(part) > 1 and part.startswith("0"):
        digits, base, allowed = part[1:], 8, _OCT_DIGITS
    else:
        digits, base, allowed = part, 10, _DEC_DIGITS
    if not set(digits) <= allowed:
        raise ValueError(f"not an IPv4 number: {part!r}")
    return int(digits or "0", base)


_DEC_DIGITS = frozenset("0123456789")
_OCT_DIGITS = frozenset("01234567")
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
