"""How to reach hosts: targets, transports, timeouts and the password (never an option)."""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from hvbpa.cli.common import Duration, F, cli_lang

if TYPE_CHECKING:
    from hvbpa.collect import ConnectionSettings
    from hvbpa.report import HostOrigin
    from hvbpa.targets import Target


def connection_options(fn: F) -> F:
    """How to reach hosts. There is deliberately no password option: see --help."""
    decorators = [
        click.option(
            "-u", "--username", envvar="HVBPA_USERNAME", help="User (DOMAIN\\user or user@domain). Env: HVBPA_USERNAME."
        ),
        click.option(
            "--transport",
            type=click.Choice(("ntlm", "kerberos", "credssp", "certificate", "basic")),
            default="ntlm",
            show_default=True,
            envvar="HVBPA_TRANSPORT",
            help="WinRM authentication. basic needs https unless --allow-unencrypted.",
        ),
        click.option(
            "--scheme",
            type=click.Choice(("http", "https")),
            help="Default: https for basic, certificate or port 5986, else http.",
        ),
        click.option("--port", type=click.IntRange(1, 65535), help="Default: 5985 (http) or 5986 (https)."),
        click.option("--ca-trust-path", type=click.Path(exists=True, dir_okay=True), help="CA bundle for https."),
        click.option(
            "--insecure-skip-tls-verify",
            is_flag=True,
            help="Do not validate the host's certificate (dangerous: anyone on the path can read the password).",
        ),
        click.option("--allow-unencrypted", is_flag=True, help="Allow basic authentication over plain http."),
        click.option(
            "-v",
            "--verbose",
            count=True,
            help="Log each host's WinRM requests to stderr, redacted (no password, token or Authorization header); "
            "-vv adds the headers and envelopes.",
        ),
        click.option(
            "--cert-pem",
            type=click.Path(exists=True, dir_okay=False),
            help="Client certificate (certificate transport).",
        ),
        click.option("--cert-key-pem", type=click.Path(exists=True, dir_okay=False), help="Its private key."),
        click.option(
            "--timeout", type=Duration("s"), default="5m", show_default=True, help="Deadline per host (e.g. 90s, 5m)."
        ),
        click.option(
            "--connect-timeout", type=Duration("s"), default="10s", show_default=True, help="TCP/TLS connect timeout."
        ),
        click.option(
            "--operation-timeout",
            type=Duration("s", longest=3600),
            default="10s",
            show_default=True,
            help="How long each WinRM Receive waits for output, up to 1h (also how long Ctrl-C may take).",
        ),
        click.option(
            "--retries",
            type=click.IntRange(0, 10),
            default=2,
            show_default=True,
            help="Retries for connection failures only; a started command is never run twice.",
        ),
    ]
    for decorator in reversed(decorators):
        fn = decorator(fn)
    return fn


def _keyring_password(username: str) -> str | None:
    try:
        import keyring
    except ImportError:
        return None
    try:
        stored = keyring.get_password("hvbpa", username)
    except Exception:
        # A broken keyring backend must not stop a scan: fall through to the prompt.
        return None
    return str(stored) if stored else None


def _can_prompt() -> bool:
    """A person can answer: standard input and error are a console (on Windows, one that
    GetConsoleMode accepts, not the NUL device a scheduled task gets, where the hidden
    prompt would wait for ever on a console nobody sees)."""
    from hvbpa.console import is_console

    return sys.stdin is not None and is_console(sys.stdin) and is_console(sys.stderr)


def _password(username: str | None, transport: str) -> str | None:
    """HVBPA_PASSWORD, then the OS keyring (optional extra), then a hidden prompt on a terminal.

    Kerberos asks no prompt: without a password it uses the ticket cache; with one, hvbpa
    gets its own ticket."""
    if transport == "certificate":
        return None  # the client certificate authenticates
    from_env = os.environ.get("HVBPA_PASSWORD")
    if from_env:
        return from_env
    if username:
        stored = _keyring_password(username)
        if stored:
            return stored
    if transport == "kerberos":
        return None
    if _can_prompt():
        return str(click.prompt(f"Password for {username}", hide_input=True, err=True))
    from hvbpa.errors import ConfigError
    from hvbpa.i18n import text

    raise ConfigError(text("cli_no_password", cli_lang()))


def build_settings(kwargs: dict[str, Any]) -> ConnectionSettings:
    from hvbpa.collect import ConnectionSettings

    if kwargs["insecure_skip_tls_verify"]:
        from hvbpa.i18n import text

        click.echo(text("cli_tls_off", cli_lang()), err=True)
    return ConnectionSettings(
        transport=kwargs["transport"],
        scheme=kwargs["scheme"],
        port=kwargs["port"],
        username=kwargs["username"],
        server_cert_validation="ignore" if kwargs["insecure_skip_tls_verify"] else "validate",
        ca_trust_path=kwargs["ca_trust_path"],
        cert_pem=kwargs["cert_pem"],
        cert_key_pem=kwargs["cert_key_pem"],
        allow_unencrypted=kwargs["allow_unencrypted"],
        deadline=kwargs["timeout"],
        connect_timeout=kwargs["connect_timeout"],
        retries=kwargs["retries"],
        # WS-Management takes whole seconds here; a fraction rounds up so it never becomes 0.
        operation_timeout=math.ceil(kwargs["operation_timeout"]),
        verbose=kwargs.get("verbose") or 0,
    )


def with_password(settings: ConnectionSettings, targets: Sequence[Target] = ()) -> ConnectionSettings:
    """The run's password, unless every host brings its own (ansible_password in the inventory)."""
    from dataclasses import replace

    from hvbpa.collect import Secret, settings_for
    from hvbpa.errors import ConfigError

    if targets and all(settings_for(t, settings).transport == "certificate" or t.password for t in targets):
        return settings
    transport = settings.transport
    if targets and all(
        settings_for(t, settings).transport in ("kerberos", "certificate") or t.password for t in targets
    ):
        transport = "kerberos"  # a password is welcome (hvbpa gets a ticket) but never asked for
    # The keyring and the prompt need a user name: the run's, or the first host's own (user=, ansible_user).
    username = settings.username or next((t.username for t in targets if t.username), None)
    vaulted = next((t for t in targets if t.password_vaulted), None)
    if vaulted is not None:
        try:
            password = _password(username, transport)
        except ConfigError:
            from hvbpa.i18n import text

            raise ConfigError(text("cli_password_unreadable", cli_lang(), where=vaulted.password_vaulted)) from None
    else:
        password = _password(username, transport)
    return settings if password is None else replace(settings, password=Secret(password))


def collect_targets(
    hosts: Sequence[str], hosts_files: Sequence[Path], inventories: Sequence[Path], limit: str | None
) -> list[Target]:
    from hvbpa.errors import InputError
    from hvbpa.targets import TargetError, check_labels, dedupe, parse_target, read_hosts_file, read_inventory

    if limit and not inventories:
        raise InputError("--limit applies to --inventory")
    try:
        found = [parse_target(h) for h in hosts]
        for path in hosts_files:
            found += read_hosts_file(path)
        selected = 0
        for path in inventories:
            chosen = read_inventory(path, limit)
            selected += len(chosen)
            found += chosen
        if limit and not selected:
            everyone = sum(len(read_inventory(path, None)) for path in inventories)
            from hvbpa.i18n import text

            raise InputError(text("cli_limit_none", cli_lang(), limit=limit, count=everyone))
        targets = dedupe(found)
        check_labels(targets)
    except TargetError as exc:
        raise InputError(str(exc)) from None
    if not targets:
        from hvbpa.i18n import text

        raise InputError(text("cli_no_hosts", cli_lang()))
    _warn_ignored(targets)
    return targets


def _warn_ignored(targets: Sequence[Target]) -> None:
    """One line naming the inventory variables hvbpa does not honour, and where they are set."""
    names = sorted({name for target in targets for name in target.ignored_vars})
    if not names:
        return
    where = sorted({target.source for target in targets if target.ignored_vars})
    shown = ", ".join(where[:3]) + (f" (+{len(where) - 3})" if len(where) > 3 else "")
    from hvbpa.i18n import text

    click.echo(text("cli_ignored_vars", cli_lang(), names=", ".join(names), where=shown), err=True)


def target_options(fn: F) -> F:
    decorators = [
        click.argument("hosts", nargs=-1),
        click.option(
            "--hosts-file",
            "hosts_files",
            multiple=True,
            # Existence is hvbpa's check, not click's: a scheduled task started in another folder
            # must still leave its failure report (-o json:...) and be told which folder it ran in.
            type=click.Path(dir_okay=False, path_type=Path),
            help="One host[:port] or URL per line, # comments, optionally with that host's transport=, user=, "
            "ca_trust_path= ... (what `hvbpa lab serve --hosts-out` writes).",
        ),
        click.option(
            "-i",
            "--inventory",
            "inventories",
            multiple=True,
            type=click.Path(dir_okay=False, path_type=Path),
            help="Ansible inventory (INI or YAML).",
        ),
        click.option("--limit", help="Ansible host pattern to select from the inventory."),
        click.option(
            "-j", "--jobs", type=click.IntRange(1, 512), default=32, show_default=True, help="Hosts scanned at once."
        ),
        click.option(
            "--processes",
            type=click.IntRange(1, 64),
            default=None,
            help="Worker processes sharing the jobs [default: from the scan's size and the CPUs].",
        ),
        click.option(
            "-q",
            "--quiet",
            is_flag=True,
            help="No progress bar, and no stderr line when every report goes to a file and the run fails.",
        ),
    ]
    for decorator in reversed(decorators):
        fn = decorator(fn)
    return fn


SECURITY_HELP = (
    "The password is never an option: it comes from HVBPA_PASSWORD, the OS keyring "
    "(from the checkout, pip install '.[keyring]'; service 'hvbpa', your user name) or a hidden prompt. "
)


def origins(targets: Sequence[Target]) -> dict[str, HostOrigin]:
    """Each target named in a hosts file or inventory, and where: reports place its results there."""
    from hvbpa.report import HostOrigin

    return {t.name: HostOrigin(t.origin.path, t.origin.line) for t in targets if t.origin is not None}


def tls_unverified(targets: Sequence[Target], base: ConnectionSettings) -> tuple[str, ...]:
    """The targets that will be scanned over https without checking the host's certificate.

    --insecure-skip-tls-verify has warned already; an inventory that turns the check off
    for its hosts gets the same warning here, naming them, so no switch is ever silent.
    """
    from hvbpa.collect import settings_for

    unverified: list[str] = []
    from_inventory: list[str] = []
    for target in targets:
        effective = settings_for(target, base)
        if effective.server_cert_validation == "ignore" and effective.effective_scheme() == "https":
            unverified.append(target.name)
            if base.server_cert_validation != "ignore":
                from_inventory.append(f"{target.name} ({target.source})")
    if from_inventory:
        from hvbpa.i18n import text

        shown = ", ".join(from_inventory[:5]) + (f" (+{len(from_inventory) - 5})" if len(from_inventory) > 5 else "")
        click.echo(text("cli_tls_off_inventory", cli_lang(), hosts=shown), err=True)
    return tuple(unverified)


def check_targets(targets: Sequence[Target], base: ConnectionSettings) -> None:
    """Every host's own settings (inventory variables win) must be safe before any is contacted."""
    from hvbpa.collect import settings_for
    from hvbpa.errors import ConfigError

    for target in targets:
        try:
            settings_for(target, base).check()
        except ConfigError as exc:
            raise ConfigError(f"{_where(target)}: {exc}") from None


def _where(target: Target) -> str:
    """The host an error is about, once: an inventory's source ("inv.ini: host hv01") names it already."""
    if target.source == "command line":
        return target.name
    if target.source.endswith(f" {target.name}"):
        return target.source
    return f"{target.source}: {target.name}"
