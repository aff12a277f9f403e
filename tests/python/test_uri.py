"""Uri, WwwFormUrlDecoder and PasswordCredential as Python sees them (the parsing rules are
core's; docs/web.md)."""

from __future__ import annotations

import collections.abc

import pytest

import netrt
from netrt import PasswordCredential, Uri, WwwFormUrlDecoder


def test_members_of_a_full_uri() -> None:
    u = Uri("HTTP://user:pw@www.Contoso.com:8080/a/b/../page.htm?x=1&y=a+b%21#top")
    assert u.scheme_name == "http"
    assert u.host == "www.contoso.com"
    assert u.domain == "contoso.com"
    assert u.port == 8080
    assert u.path == "/a/page.htm"
    assert u.extension == ".htm"
    assert u.query == "?x=1&y=a+b%21"
    assert u.fragment == "#top"
    assert (u.user_name, u.password) == ("user", "pw")
    assert u.absolute_uri == "http://user:pw@www.contoso.com:8080/a/page.htm?x=1&y=a+b%21#top"
    assert u.display_uri == "http://user@www.contoso.com:8080/a/page.htm?x=1&y=a+b%21#top"
    assert u.raw_uri == "HTTP://user:pw@www.Contoso.com:8080/a/b/../page.htm?x=1&y=a+b%21#top"
    assert u.to_string() == str(u) == u.absolute_uri
    assert not u.suspicious
    assert "pw" not in repr(u)


def test_default_ports_and_equality() -> None:
    assert Uri("wss://example.com/chat").port == 443
    assert Uri("ws://example.com").port == 80
    assert Uri("ws://example.com").path == "/"
    assert Uri("urn:isbn:0451450523").port == -1
    assert Uri("ws://EXAMPLE.com:80/").equals(Uri("ws://example.com/"))
    assert not Uri("ws://example.com/#a").equals(Uri("ws://example.com/#b"))


def test_relative_references() -> None:
    assert Uri("http://h/a/b/c", "../d?q").absolute_uri == "http://h/a/d?q"
    assert Uri("http://h/a/b").combine_uri("x").absolute_uri == "http://h/a/x"


def test_invalid_uris_are_invalid_arg_with_the_problem_named() -> None:
    with pytest.raises(netrt.InvalidArgumentError, match="relative URL without a base") as e:
        Uri("just/a/path")
    assert isinstance(e.value, ValueError) and e.value.hresult == 0x80070057 - 2**32
    with pytest.raises(ValueError, match="invalid port number"):
        Uri("http://h:99999/")
    with pytest.raises(TypeError):
        Uri(b"http://h/")  # type: ignore[call-overload]
    with pytest.raises(TypeError):
        Uri()  # type: ignore[call-overload]


def test_escape_and_unescape_component() -> None:
    assert Uri.escape_component("a b/ü~") == "a%20b%2F%C3%BC~"
    assert Uri.unescape_component("a%20b%2F%C3%BC+%") == "a b/ü+%"


def test_query_parsed_is_a_read_only_sequence() -> None:
    q = Uri("http://h/?a=1&b=two+words&a=3").query_parsed
    assert isinstance(q, WwwFormUrlDecoder) and isinstance(q, collections.abc.Sequence)
    assert len(q) == q.size == 3
    assert [(e.name, e.value) for e in q] == [("a", "1"), ("b", "two words"), ("a", "3")]
    assert q.get_first_value_by_name("a") == "1"
    assert q[-1].value == "3" and [e.value for e in q[1:]] == ["two words", "3"]
    assert q.index_of(q.get_at(1)) == (True, 1)
    with pytest.raises(IndexError):
        q[3]
    with pytest.raises(netrt.OutOfBoundsError):
        q.get_at(3)
    with pytest.raises(netrt.InvalidArgumentError):
        q.get_first_value_by_name("missing")
    assert [e.value for e in WwwFormUrlDecoder("?k=%21")] == ["!"]


def test_password_credential_fields_and_validation() -> None:
    c = PasswordCredential("wss://h/", "alice", "s3cret")
    assert (c.resource, c.user_name, c.password) == ("wss://h/", "alice", "s3cret")
    c.retrieve_password()
    assert c.password == "s3cret"
    c.resource = "other"
    assert c.resource == "other"
    assert "s3cret" not in repr(c)
    with pytest.raises(netrt.InvalidArgumentError):
        c.user_name = ""
    with pytest.raises(ValueError):
        PasswordCredential("r", "u", "")
    empty = PasswordCredential()
    assert (empty.resource, empty.user_name, empty.password) == ("", "", "")
    with pytest.raises(TypeError):
        PasswordCredential("r", "u")  # type: ignore[call-overload]


def test_a_control_shares_the_credential_object() -> None:
    ws = netrt.MessageWebSocket()
    assert ws.control.server_credential is None
    c = PasswordCredential("r", "alice", "one")
    ws.control.proxy_credential = c
    c.password = "two"
    held = ws.control.proxy_credential
    assert held is not None and held.password == "two"
    ws.control.proxy_credential = None
    assert ws.control.proxy_credential is None
    ws.close()
