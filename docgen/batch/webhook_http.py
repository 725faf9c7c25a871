"""Where a webhook may go and how it is sent: the host allowlist, the addresses vetted, one POST to a vetted
address (no redirects followed, short timeouts, a bounded read of the answer)."""
from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

RESPONSE_LIMIT = 64 * 1024      # bytes of an answer read (its body is not used: the status decides)
DEFAULT_PORTS = {"http": 80, "https": 443}


class Refused(ValueError):
    """A webhook URL docgen will not call; the message, in Chinese, says why."""


@dataclass(frozen=True)
class Target:
    """A webhook URL that passed the checks, and the vetted address to connect to."""

    scheme: str
    host: str
    port: int
    path: str
    address: str


def ascii_host(name: str) -> str:
    """Return a host name as DNS and the Host header carry it (回调.政务.cn → xn--…); an address stays as it is."""
    try:
        return name.encode("idna").decode("ascii")
    except UnicodeError:
        raise Refused(f"回调地址的主机名“{name}”无效") from None


def allowed(host: str, hosts: tuple[str, ...]) -> bool | None:
    """Return whether a host is allowed: True listed as it is, False through a *.domain entry, None not at all."""
    hosts = tuple(("*." if h.startswith("*.") else "") + ascii_host(h.removeprefix("*.")) for h in hosts)
    if host in hosts:
        return True
    if any(entry.startswith("*.") and host.endswith(entry[1:]) for entry in hosts):
        return False
    return None


def _public(address: str) -> bool:
    """Return whether an address is on the public internet (not private, loopback, link-local, reserved…)."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _resolve(host: str, port: int) -> list[str]:
    """Return the addresses a host resolves to (an address resolves to itself)."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise Refused(f"回调地址的主机“{host}”无法解析") from None
    return list(dict.fromkeys(str(info[4][0]) for info in found))


def _split(url: str) -> tuple[str, str, int, str]:
    """Return scheme, host, port and path of a URL, or refuse it (scheme, credentials, port)."""
    parts = urlsplit(url.strip())
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if scheme not in DEFAULT_PORTS or not host:
        raise Refused("回调地址应为 https:// 或 http:// 开头的完整网址，如 https://oa.example.cn/docgen/hooks")
    if parts.username is not None or parts.password is not None:
        raise Refused("回调地址不能包含用户名或密码：回调以签名（webhook-signature）证明来自本服务")
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError:
        raise Refused("回调地址的端口号无效") from None
    return scheme, ascii_host(host), port, (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def check(url: str, hosts: tuple[str, ...]) -> Target:
    """Return where to send a webhook URL's calls, or refuse it: not http(s), a host outside `hosts`, or (for
    a host allowed through *.domain) an address that is not public: only a host listed as it is may be
    private or loopback."""
    if not hosts:
        raise Refused("本服务未开启回调（管理员未设置 DOCGEN_WEBHOOK_HOSTS），请去掉 webhook_url")
    scheme, host, port, path = _split(url)
    listed = allowed(host, hosts)
    if listed is None:
        raise Refused(f"回调地址的主机“{host}”不在本服务允许的范围内（DOCGEN_WEBHOOK_HOSTS：{'、'.join(hosts)}）")
    addresses = _resolve(host, port)
    inside = [a for a in addresses if not _public(a)]
    if inside and not listed:
        raise Refused(f"回调地址的主机“{host}”解析到内网或本机地址 {inside[0]}：这样的主机须在 DOCGEN_WEBHOOK_HOSTS 中逐一列出")
    return Target(scheme, host, port, path, addresses[0])


class _PinnedHTTP(http.client.HTTPConnection):
    """An HTTP connection to the vetted address, whatever the name resolves to by now."""

    address = ""

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """An HTTPS connection to the vetted address; the certificate is checked against the host's name."""

    address = ""

    def connect(self) -> None:
        raw = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = ssl.create_default_context().wrap_socket(raw, server_hostname=self.host)


def post(target: Target, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST `body` to a target; return the answer's HTTP status (a redirect is an answer like any other).

    Raises OSError (refused, reset, timed out) or http.client.HTTPException (not HTTP)."""
    kind = _PinnedHTTPS if target.scheme == "https" else _PinnedHTTP
    connection = kind(target.host, target.port, timeout=timeout)
    connection.address = target.address
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        answer = connection.getresponse()
        answer.read(RESPONSE_LIMIT)
        return answer.status
    finally:
        connection.close()
