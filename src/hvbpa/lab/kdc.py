"""A throwaway MIT Kerberos realm on loopback, for lab hosts that speak Kerberos.

The real KDC (Debian's ``krb5-kdc``), not an imitation: ``kdb5_util`` makes a database
in a private folder, ``kadmin.local`` adds the principals and writes the lab's keytab,
and ``krb5kdc`` serves on 127.0.0.1 at a free port. Nothing here looks up a name: the
realm's krb5.conf turns off DNS for KDCs, realms and host name canonicalization, and
maps ``localhost`` (the name lab hosts are reached by, from /etc/hosts) to the realm.

Nothing here sets process-wide environment variables: callers get ``env()`` to hand to
a client (``KRB5_CONFIG``), and the keytab's path for an acceptor.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REALM = "HVBPA.TEST"
HOST_NAME = "localhost"  # the name lab hosts answer to: HTTP/localhost@HVBPA.TEST
SERVICE = "HTTP"
USER = "hvadmin"
PASSWORD = "Lab-Kerb-Passw0rd!"  # noqa: S105 - the lab realm's own throwaway account
# A principal the KDC knows but no lab host holds a key for: a ticket for it is a wrong SPN.
OTHER_HOST = "otherhost.hvbpa.test"

_PROGRAMS = ("krb5kdc", "kdb5_util", "kadmin.local", "kinit")
_SEARCH = ("/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin")


class RealmError(RuntimeError):
    """The realm could not be made or started; str() is one line."""


def missing_programs() -> list[str]:
    """The MIT Kerberos programs this machine lacks (Debian: krb5-kdc, krb5-admin-server, krb5-user)."""
    return [name for name in _PROGRAMS if _which(name) is None]


def _which(name: str) -> str | None:
    path = os.pathsep.join([os.environ.get("PATH", ""), *_SEARCH])
    return shutil.which(name, path=path)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Realm:
    """A running realm. ``stop()`` ends the KDC and removes its folder."""

    folder: Path
    port: int
    realm: str = REALM
    user: str = USER
    password: str = field(default=PASSWORD, repr=False)
    process: subprocess.Popen[bytes] | None = None

    @property
    def krb5_conf(self) -> Path:
        return self.folder / "krb5.conf"

    @property
    def keytab(self) -> Path:
        return self.folder / "http.keytab"

    @property
    def principal(self) -> str:
        return f"{self.user}@{self.realm}"

    def env(self, ccache: str | None = None) -> dict[str, str]:
        """What a client process needs to use this realm (and, optionally, a ticket cache)."""
        env = {"KRB5_CONFIG": str(self.krb5_conf), "KRB5_TRACE": "/dev/null"}
        if ccache is not None:
            env["KRB5CCNAME"] = ccache
        return env

    def _admin_env(self) -> dict[str, str]:
        return {
            **os.environ,
            "KRB5_CONFIG": str(self.krb5_conf),
            "KRB5_KDC_PROFILE": str(self.folder / "kdc.conf"),
        }

    def admin(self, *queries: str) -> None:
        """Run kadmin.local queries (``addprinc ...``, ``modprinc ...``) on the realm's database."""
        for query in queries:
            _run([_need("kadmin.local"), "-r", self.realm, "-q", query], self._admin_env())

    def add_user(self, name: str, password: str, *, max_life: str | None = None) -> str:
        life = f' -maxlife "{max_life}"' if max_life else ""
        self.admin(f"addprinc -pw {password}{life} {name}")
        return f"{name}@{self.realm}"

    def kinit(self, ccache: str, *, principal: str | None = None, password: str | None = None) -> None:
        """Get a ticket the way a user does: ``kinit``, the password on its standard input."""
        env = {**os.environ, **self.env(ccache)}
        result = subprocess.run(
            [_need("kinit"), principal or self.principal],
            input=((password if password is not None else self.password) + "\n").encode(),
            env=env,
            capture_output=True,
            timeout=30,
            check=False,
        )
        if result.returncode != 0:
            raise RealmError(f"kinit failed: {result.stderr.decode(errors='replace').strip()}")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> Realm:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _need(name: str) -> str:
    path = _which(name)
    if path is None:
        raise RealmError(f"{name} not found: install MIT Kerberos (Debian: krb5-kdc krb5-admin-server krb5-user)")
    return path


def _run(argv: list[str], env: dict[str, str], stdin: bytes | None = None) -> None:
    result = subprocess.run(argv, input=stdin, env=env, capture_output=True, timeout=60, check=False)
    if result.returncode != 0:
        text = (result.stderr or result.stdout).decode(errors="replace").strip().splitlines()
        raise RealmError(f"{Path(argv[0]).name} failed: {text[-1] if text else f'exit {result.returncode}'}")


def krb5_conf_text(realm: str, port: int) -> str:
    return f"""[libdefaults]
    default_realm = {realm}
    dns_lookup_kdc = false
    dns_lookup_realm = false
    dns_canonicalize_hostname = false
    rdns = false
    qualify_shortname = ""
    udp_preference_limit = 1
    forwardable = false

[realms]
    {realm} = {{
        kdc = 127.0.0.1:{port}
    }}

[domain_realm]
    localhost = {realm}
    .{realm.lower()} = {realm}
    {realm.lower()} = {realm}
"""


def start_realm(
    *, realm: str = REALM, extra_users: dict[str, str] | None = None, kdc_env: dict[str, str] | None = None
) -> Realm:
    """Make a realm with the lab user, the lab hosts' service principal and one other host, and
    start its KDC. ``kdc_env`` goes to the KDC alone (libfaketime's, to skew its clock).
    Raises RealmError (one line) when a program is missing or fails."""
    for name in _PROGRAMS:
        _need(name)
    folder = Path(tempfile.mkdtemp(prefix="hvbpa-realm-"))
    folder.chmod(0o700)
    port = _free_port()
    made = Realm(folder=folder, port=port, realm=realm)
    try:
        made.krb5_conf.write_text(krb5_conf_text(realm, port), encoding="utf-8")
        (folder / "kdc.conf").write_text(
            f"""[kdcdefaults]
    kdc_listen = 127.0.0.1:{port}
    kdc_tcp_listen = 127.0.0.1:{port}

[realms]
    {realm} = {{
        database_name = {folder}/principal
        key_stash_file = {folder}/stash
        acl_file = {folder}/kadm5.acl
        max_life = 10h
        max_renewable_life = 0
        supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
        default_principal_flags = +preauth
    }}

[logging]
    kdc = FILE:{folder}/kdc.log
""",
            encoding="utf-8",
        )
        (folder / "kadm5.acl").write_text("", encoding="utf-8")
        master = os.urandom(12).hex()
        _run([_need("kdb5_util"), "-r", realm, "create", "-s", "-P", master], made._admin_env())
        made.add_user(made.user, made.password)
        for name, password in (extra_users or {}).items():
            made.add_user(name, password)
        made.admin(
            f"addprinc -randkey {SERVICE}/{HOST_NAME}",
            f"addprinc -randkey {SERVICE}/{OTHER_HOST}",
            f"ktadd -k {made.keytab} {SERVICE}/{HOST_NAME}",
        )
        made.process = subprocess.Popen(
            [_need("krb5kdc"), "-n", "-r", realm],
            env={**made._admin_env(), **(kdc_env or {})},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        _wait_listening(made)
    except BaseException:
        made.stop()
        raise
    return made


def _wait_listening(made: Realm) -> None:
    ends = time.monotonic() + 15
    while time.monotonic() < ends:
        assert made.process is not None
        if made.process.poll() is not None:
            error = made.process.stderr.read().decode(errors="replace").strip() if made.process.stderr else ""
            raise RealmError(f"krb5kdc exited at start: {error.splitlines()[-1] if error else 'no message'}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", made.port), timeout=0.5):
            return
        time.sleep(0.05)
    raise RealmError(f"krb5kdc did not listen on 127.0.0.1:{made.port} within 15 s")
