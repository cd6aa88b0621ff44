"""parse_target, dedupe and TargetError."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hvbpa.targets import Target, TargetError, check_labels, dedupe, parse_target


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("web01", Target("web01", "web01")),
        ("  web01\t", Target("web01", "web01")),
        ("web01.corp.example.com.", Target("web01.corp.example.com.", "web01.corp.example.com.")),
        ("web01:5986", Target("web01:5986", "web01", port=5986)),
        ("10.0.0.1:5985", Target("10.0.0.1:5985", "10.0.0.1", port=5985)),
        ("10.0.0.1", Target("10.0.0.1", "10.0.0.1")),
        ("[fe80::1]:5986", Target("[fe80::1]:5986", "fe80::1", port=5986)),
        ("[::1]", Target("[::1]", "::1")),
        ("fe80::1", Target("fe80::1", "fe80::1")),
        ("fe80::1%12", Target("fe80::1%12", "fe80::1%12")),
        ("hyperv_node-1", Target("hyperv_node-1", "hyperv_node-1")),
        ("ñandú", Target("ñandú", "ñandú")),
        ("https://web01:5986/wsman", Target("https://web01:5986/wsman", "web01", port=5986, scheme="https")),
        ("http://web01", Target("http://web01", "web01", scheme="http")),
        ("HTTPS://[::1]/WSMan/", Target("HTTPS://[::1]/WSMan/", "::1", scheme="https")),
        # The user is kept, and left out of the name that reports print (userinfo is never shown).
        ("https://admin@web01/wsman", Target("https://web01/wsman", "web01", scheme="https", username="admin")),
        (
            "http://CORP%5Cadmin@web01",
            Target("http://web01", "web01", scheme="http", username="CORP\\admin"),
        ),
    ],
)
def test_parse_target(text: str, expected: Target) -> None:
    assert parse_target(text) == expected


def test_parse_target_keeps_the_source() -> None:
    assert parse_target("web01", "hosts.txt:3").source == "hosts.txt:3"
    assert parse_target("web01").source == "command line"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty host name"),
        ("   ", "empty host name"),
        ("web 01", "host name must not contain spaces: 'web 01'"),
        ("web01:99999", "port must be 1-65535, got '99999'"),
        ("web01:0", "port must be 1-65535, got '0'"),
        ("web01:", "port must be 1-65535, got ''"),
        ("web01:abc", "port must be 1-65535, got 'abc'"),
        ("web01:+59", "port must be 1-65535, got '+59'"),
        ("web01:٥٩٨٥", "port must be 1-65535, got '٥٩٨٥'"),
        (":5985", "empty host name"),
        ("[web01]:5985", "brackets are only for IPv6 addresses, as in '[fe80::1]:5985', got '[web01]:5985'"),
        ("[fe80::1", "brackets are only for IPv6 addresses, as in '[fe80::1]:5985', got '[fe80::1'"),
        ("[::1]x", "unexpected 'x' after ']' in '[::1]x'"),
        ("[::1]:99999", "port must be 1-65535, got '99999'"),
        ("a:b:c", "too many ':' in 'a:b:c' (an IPv6 address with a port needs brackets: [addr]:port)"),
        ("web01,web02", "invalid character ',' in host name 'web01,web02'"),
        ("web01;", "invalid character ';' in host name 'web01;'"),
        ("-web01", "host name must not start with '-': '-web01'"),
        (".web01", "host name must not start with '.': '.web01'"),
        ("ftp://web01", "URL scheme must be http or https, got 'ftp'"),
        ("https://web01/other", "URL path must be /wsman, got '/other'"),
        ("https://web01/wsman?x=1", "URL must not have a query or fragment: 'https://web01/wsman?x=1'"),
        ("https://web01/wsman#top", "URL must not have a query or fragment: 'https://web01/wsman#top'"),
        ("https://u:secret@web01", "a password in a URL would end up in reports and logs; remove it"),
        ("https:///wsman", "URL has no host: 'https:///wsman'"),
        ("https://web01:99999/wsman", "port must be 1-65535, got '99999'"),
        ("https://[::1/wsman", "not a valid URL: 'https://[::1/wsman' (Invalid IPv6 URL)"),
    ],
)
def test_parse_target_errors(text: str, message: str) -> None:
    with pytest.raises(TargetError) as caught:
        parse_target(text, "hosts.txt:7")
    assert str(caught.value) == f"hosts.txt:7: {message}"
    assert caught.value.where == "hosts.txt:7"
    assert caught.value.message == message
    assert "\n" not in str(caught.value)


def test_target_error_is_a_value_error_and_pickles() -> None:
    error = TargetError("hosts.txt:7", "port must be 1-65535, got '99999'")
    assert isinstance(error, ValueError)
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes, just made
    assert (str(copy), copy.where, copy.message) == (str(error), error.where, error.message)


def test_target_is_frozen_and_hashable() -> None:
    target = Target("web01", "web01")
    with pytest.raises(AttributeError):
        target.port = 1  # type: ignore[misc]
    assert len({target, Target("web01", "web01")}) == 1


def _t(name: str, address: str | None = None, port: int | None = None, scheme: str | None = None) -> Target:
    return Target(name, address or name, port=port, scheme=scheme)


@pytest.mark.parametrize(
    ("targets", "kept"),
    [
        ([], []),
        ([_t("a"), _t("b"), _t("a")], [0, 1]),
        ([_t("web01"), _t("WEB01")], [0]),
        ([_t("web01.example.com."), _t("web01.example.com")], [0]),
        ([_t("web01"), _t("web01", port=5986)], [0, 1]),
        ([_t("web01", port=5986), _t("web01:5986", "web01", port=5986)], [0]),
        ([_t("https://web01", "web01", scheme="https"), _t("web01", port=5986)], [0]),
        ([_t("http://web01", "web01", scheme="http"), _t("https://web01", "web01", scheme="https")], [0, 1]),
        # With neither port nor scheme the CLI default decides, so 5985 may or may not be the same endpoint.
        ([_t("web01"), _t("web01", port=5985)], [0, 1]),
        ([_t("::1"), _t("0:0::1"), _t("[::1]", "::1")], [0]),
        ([_t("b"), _t("a"), _t("b"), _t("c"), _t("a")], [0, 1, 3]),
        ([_t("label-1", "10.0.0.1"), _t("label-2", "10.0.0.1")], [0]),
    ],
)
def test_dedupe(targets: list[Target], kept: list[int]) -> None:
    assert dedupe(targets) == [targets[i] for i in kept]


def test_dedupe_takes_any_iterable() -> None:
    assert dedupe(iter([_t("a"), _t("a")])) == [_t("a")]


@given(st.lists(st.sampled_from(["hv01", "HV01", "hv02", "Hv-03", "hv-03", "web"]), max_size=6))
def test_check_labels_refuses_exactly_a_label_given_twice(labels: list[str]) -> None:
    targets = [Target(label, f"10.0.0.{n}", source=f"hosts.txt:{n}") for n, label in enumerate(labels, 1)]
    folded = [label.casefold() for label in labels]
    if len(set(folded)) == len(folded):
        check_labels(targets)
        return
    with pytest.raises(TargetError) as caught:
        check_labels(targets)
    second = next(n for n in range(len(folded)) if folded[n] in folded[:n])
    first = folded.index(folded[second])
    assert str(caught.value).startswith(f"hosts.txt:{second + 1}: {labels[second]!r} already names the host at ")
    assert f"hosts.txt:{first + 1};" in str(caught.value) and "\n" not in str(caught.value)
