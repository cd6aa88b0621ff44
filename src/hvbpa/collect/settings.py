"""How to reach hosts: transport, credentials, timeouts. No pywinrm here, so the CLI
can build and check these before the heavy import; only a Kerberos or CredSSP choice asks
pywinrm (lazily) whether it can speak that transport."""

from __future__ import annotations

from dataclasses import dataclass, field

from hvbpa.errors import ConfigError

TRANSPORTS = ("ntlm", "kerberos", "credssp", "certificate", "basic")


class Secret:
    """A password that never prints: not in repr, str, logs or tracebacks' locals."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self) -> tuple[type[Secret], tuple[str]]:
        return (Secret, (self._value,))


@dataclass(frozen=True)
class ConnectionSettings:
    transport: str = "ntlm"
    scheme: str | None = None  # None: https for basic and certificate, http otherwise
    port: int | None = None
    username: str | None = None
    password: Secret | None = field(default=None, repr=False)
    server_cert_validation: str = "validate"
    ca_trust_path: str | None = None
    cert_pem: str | None = None
    cert_key_pem: str | None = None
    allow_unencrypted: bool = False
    connect_timeout: float = 10.0
    deadline: float = 300.0  # whole-host budget, seconds
    operation_timeout: int = 10  # seconds per Receive; also bounds how long Ctrl-C waits
    retries: int = 2  # connect-phase failures only
    retry_backoff: float = 0.5
    max_output_bytes: int = 32 * 1024 * 1024
    # Kerberos: the name in the host's service principal when it is not the address scanned
    # (ansible_winrm_kerberos_hostname_override), the principal's service class (ansible_winrm_service),
    # and whether a password is turned into a ticket (Ansible's kinit mode "managed") or only the
    # ticket cache is used ("manual").
    kerberos_hostname: str | None = None
    kerberos_service: str = "HTTP"
    kerberos_managed: bool = True
    verbose: int = 0  # -v: each request on stderr, redacted; -vv: with headers and envelopes

    def effective_scheme(self) -> str:
        if self.scheme:
            return self.scheme
        # WinRM's well-known HTTPS port says which scheme is meant, as it does to Ansible.
        if self.port == 5986 or self.transport in ("basic", "certificate"):
            return "https"
        return "http"

    def effective_port(self) -> int:
        return self.port or (5986 if self.effective_scheme() == "https" else 5985)

    def check(self) -> None:
        """Refuse settings that would send credentials in clear text unless the user insisted."""
        if self.transport not in TRANSPORTS:
            raise ConfigError(f"unknown transport {self.transport!r} (choose from {', '.join(TRANSPORTS)})")
        if self.transport == "basic" and self.effective_scheme() == "http" and not self.allow_unencrypted:
            raise ConfigError(
                "basic authentication over http sends the password in clear text; use https, "
                "another transport, or --allow-unencrypted"
            )
        if self.transport == "certificate" and self.effective_scheme() == "http":
            # Not a matter of --allow-unencrypted: the certificate is presented in the TLS handshake.
            raise ConfigError("certificate authentication needs https (the client certificate is sent over TLS)")
        if self.transport == "certificate" and not (self.cert_pem and self.cert_key_pem):
            raise ConfigError("certificate transport needs --cert-pem and --cert-key-pem")
        if self.transport != "kerberos" and self.transport != "certificate" and not self.username:
            raise ConfigError(
                "no user name: set HVBPA_USERNAME or pass --username (DOMAIN\\user or user@domain); "
                "a hosts-file line may say user=, an inventory ansible_user"
            )
        if self.transport == "kerberos":
            self._check_kerberos()
        if self.transport == "basic" and self.password is not None:
            try:
                # requests sends Basic credentials as Latin-1; anything else would fail on every host.
                self.password.reveal().encode("latin-1")
            except UnicodeEncodeError:
                raise ConfigError(
                    "the password has characters basic authentication cannot send (it is Latin-1 only); "
                    "use ntlm, kerberos or certificate"
                ) from None
        if self.transport in _NEEDS_SUPPORT:
            from hvbpa.collect.wsman import transport_supported

            if not transport_supported(self.transport):
                raise ConfigError(_NEEDS_SUPPORT[self.transport])

    def _check_kerberos(self) -> None:
        if self.username and "\\" in self.username:
            raise ConfigError(
                f"Kerberos names a user user@REALM; {self.username!r} names no realm: write "
                "user@YOUR.DOMAIN (the domain's DNS name)"
            )
        if self.password and self.kerberos_managed and not self.username:
            raise ConfigError(
                "a password for Kerberos needs the user it belongs to: set HVBPA_USERNAME or --username "
                "(user@REALM), or unset HVBPA_PASSWORD to use your ticket cache"
            )
        if self.password and self.kerberos_managed and self.transport_ready():
            from hvbpa.collect.kerberos import kerberos_importable

            if not kerberos_importable():
                raise ConfigError(
                    "getting a Kerberos ticket from a password needs python-gssapi: from the hvbpa checkout "
                    "pip install '.[kerberos]'; or run kinit and unset HVBPA_PASSWORD"
                )

    def transport_ready(self) -> bool:
        from hvbpa.collect.wsman import transport_supported

        return transport_supported(self.transport)


# What to install when pywinrm cannot speak a transport. hvbpa is not on PyPI: the extras are
# installed from a checkout.
_NEEDS_SUPPORT = {
    "kerberos": (
        "the kerberos transport is not available: pywinrm finds no Kerberos library; install the "
        "system's Kerberos library and headers (Debian: libkrb5-dev), then from the hvbpa checkout "
        "pip install '.[kerberos]'"
    ),
    "credssp": (
        "the credssp transport is not available: pywinrm finds no CredSSP support; "
        "from the hvbpa checkout, pip install '.[credssp]'"
    ),
}


def stop_grace(settings: ConnectionSettings) -> float:
    """How long Ctrl-C or SIGTERM waits for requests in flight to end and their shells to go.

    A Receive in flight ends within the operation timeout (the host answers then), and
    deleting the shell takes a request more; the README promises the operation timeout.
    """
    return float(settings.operation_timeout)


def reap_allowance(grace: float) -> float:
    """The end of the grace kept for deleting the shells still open: enough for a delete
    request on a busy machine, while the rest lets a host that is about to finish finish."""
    return min(1.0, grace / 2)
