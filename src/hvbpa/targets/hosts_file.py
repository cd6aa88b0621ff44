"""Hosts files: one target per line, as it would be written on the command line.

A line may go on with ``key=value`` settings for that host alone, so one file can
mix transports (what ``hvbpa lab serve --hosts-out`` writes)::

    hv01
    https://127.0.0.1:40123/wsman transport=basic ca_trust_path=/tmp/lab/ca.pem name=HV-REP-01  # comment

A value with spaces or ``#`` goes in quotes, as on a shell's command line; backslashes are
kept, so Windows paths need no doubling (the rules: :mod:`hvbpa.targets.words`)::

    hv02 transport=certificate cert_pem='C:\\Users\\Some One\\hvbpa.pem' cert_key_pem=C:\\keys\\hvbpa.key

Passwords have no key: they never go in files.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from hvbpa.targets.model import (
    CERT_VALIDATION,
    SCHEMES,
    TRANSPORTS,
    Origin,
    Target,
    TargetError,
    parse_target,
    read_text,
)
from hvbpa.targets.words import WordsError, split_words

# key -> Target field; the names match the command-line options (--transport, --ca-trust-path ...).
SETTINGS = {
    "name": "name",
    "user": "username",
    "transport": "transport",
    "scheme": "scheme",
    "ca_trust_path": "ca_trust_path",
    "server_cert_validation": "server_cert_validation",
    "cert_pem": "cert_pem",
    "cert_key_pem": "cert_key_pem",
}
_CHOICES = {"transport": TRANSPORTS, "scheme": SCHEMES, "server_cert_validation": CERT_VALIDATION}


def read_hosts_file(path: Path) -> list[Target]:
    """Targets in file order; ``#`` starts a comment, blank lines are skipped."""
    targets = []
    # split("\n") rather than splitlines(): form feeds and Unicode separators would shift line numbers.
    for number, line in enumerate(read_text(path).split("\n"), 1):
        where = f"{path}:{number}"
        try:
            words = split_words(line)
        except WordsError as exc:
            raise TargetError(where, f"{exc}: {line.strip()!r}") from None
        if words:
            targets.append(replace(parse_hosts_words(words, where), origin=Origin(str(path), number)))
    return targets


def parse_hosts_line(entry: str, where: str) -> Target:
    """``TARGET [key=value ...]``: one line of a hosts file, quotes and comment included."""
    try:
        words = split_words(entry)
    except WordsError as exc:
        raise TargetError(where, f"{exc}: {entry.strip()!r}") from None
    if not words:
        raise TargetError(where, "no host on the line")
    return parse_hosts_words(words, where)


def parse_hosts_words(words: list[str], where: str) -> Target:
    first, *settings = words
    entry = " ".join(words)
    target = parse_target(first, where)
    changes: dict[str, str] = {}
    for setting in settings:
        key, equals, value = setting.partition("=")
        if not equals or not key:
            raise TargetError(
                where, f"host name must not contain spaces: {entry!r} (settings after a host are key=value)"
            )
        if key not in SETTINGS:
            if "password" in key:
                raise TargetError(where, "passwords do not go in hosts files: use HVBPA_PASSWORD or the keyring")
            raise TargetError(where, f"unknown setting {key!r} (known: {', '.join(SETTINGS)})")
        if not value:
            raise TargetError(where, f"{key}: empty value")
        if key in _CHOICES and value.lower() not in _CHOICES[key]:
            raise TargetError(where, f"{key}: {value!r} is not one of {', '.join(_CHOICES[key])}")
        if SETTINGS[key] in changes:
            raise TargetError(where, f"{key} is given twice")
        changes[SETTINGS[key]] = value.lower() if key in _CHOICES else value
    if "scheme" in changes and target.scheme and changes["scheme"] != target.scheme:
        raise TargetError(where, f"scheme={changes['scheme']} contradicts the URL's {target.scheme}://")
    if "username" in changes and target.username and changes["username"] != target.username:
        raise TargetError(where, f"user={changes['username']} contradicts the user in the URL")
    return replace(target, **changes) if changes else target  # type: ignore[arg-type]
