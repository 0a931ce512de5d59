"""The SSRF guard connects to the address it checked: a name cannot answer the check with one address
and the connection with another (DNS rebinding)."""

import socket

import pytest

from shared import outbound
from tests.fakes.http_server import Reply


def rebinding_resolver(first: str, then: str):  # type: ignore[no-untyped-def]
    """Resolves `rebind.test` to `first` once and to `then` afterwards, like a hostile DNS server."""
    real = socket.getaddrinfo
    answers = [first]

    def resolve(host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        if host != "rebind.test":
            return real(host, port, *args, **kwargs)
        address = answers.pop() if answers else then
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    return resolve


def test_the_request_goes_to_the_checked_address_not_a_second_lookup(loopback, monkeypatch):
    loopback.script("/pinned", Reply(200, {"ok": True}))
    port = loopback.url.rsplit(":", 1)[1]
    monkeypatch.setattr(socket, "getaddrinfo", rebinding_resolver("127.0.0.1", "169.254.169.254"))
    response = outbound.request("GET", f"http://rebind.test:{port}/pinned", timeout=5)
    assert response.status == 200 and response.body == {"ok": True}
    [seen] = loopback.calls("/pinned")
    assert seen.headers["Host"] == f"rebind.test:{port}"  # the server still sees the name it was called by


def test_a_name_that_resolves_to_a_private_address_is_refused_before_any_connection(loopback, monkeypatch):
    monkeypatch.setattr(socket, "getaddrinfo", rebinding_resolver("169.254.169.254", "127.0.0.1"))
    with pytest.raises(outbound.OutboundRefused, match=r"169\.254\.169\.254"):
        outbound.request("GET", "http://rebind.test/anything", timeout=5)
    assert loopback.seen == []


@pytest.mark.parametrize(
    ("url", "address", "expected_url", "host", "sni"),
    [
        (
            "https://api.example.com/v1?q=1",
            "93.184.216.34",
            "https://93.184.216.34/v1?q=1",
            "api.example.com",
            "api.example.com",
        ),
        (
            "http://user:pw@example.com:8080/x",
            "93.184.216.34",
            "http://user:pw@93.184.216.34:8080/x",
            "example.com:8080",
            "example.com",
        ),
        (
            "https://v6.example.com/",
            "2606:2800:220:1::1",
            "https://[2606:2800:220:1::1]/",
            "v6.example.com",
            "v6.example.com",
        ),
    ],
)
def test_pinned_keeps_the_name_for_host_and_tls(url, address, expected_url, host, sni):
    assert outbound.pinned(url, address) == (expected_url, {"Host": host}, {"sni_hostname": sni})
