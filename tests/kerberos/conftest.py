"""A real MIT Kerberos realm for the test session, and lab hosts that accept only Kerberos.

Where the realm cannot start (no MIT Kerberos programs, no python-gssapi or pykerberos) the
tests skip with one reason, unless ``HVBPA_REQUIRE_KERBEROS=1`` (set by ``.ci/run``) makes
that a failure.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from hvbpa.lab import HostConfig, RunningFleet, build_fleet, start_fleet
from hvbpa.lab.kdc import Realm, RealmError, missing_programs, start_realm

REQUIRE_VAR = "HVBPA_REQUIRE_KERBEROS"
FAKETIME_LIBRARY = Path("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1")


def kerberos_missing() -> str | None:
    """Why this machine cannot run the Kerberos tests, or None."""
    programs = missing_programs()
    if programs:
        return f"no MIT Kerberos here ({', '.join(programs)} not found; Debian: krb5-kdc krb5-admin-server krb5-user)"
    for module in ("gssapi", "kerberos"):
        try:
            __import__(module)
        except ImportError:
            return f"python module {module!r} missing (from the checkout: pip install '.[kerberos]')"
    return None


def require_kerberos(environ: Mapping[str, str] | None = None) -> None:
    env = os.environ if environ is None else environ
    why = kerberos_missing()
    if why is None:
        return
    if env.get(REQUIRE_VAR, "") not in ("", "0"):
        pytest.fail(f"Kerberos is required here ({REQUIRE_VAR}=1) but {why}", pytrace=False)
    pytest.skip(f"Kerberos tests: {why}")


def require_faketime() -> Path:
    """libfaketime, to run the KDC or a lab host with a skewed clock."""
    if FAKETIME_LIBRARY.exists():
        return FAKETIME_LIBRARY
    if os.environ.get(REQUIRE_VAR, "") not in ("", "0"):
        pytest.fail(f"libfaketime is required here ({REQUIRE_VAR}=1): Debian package faketime", pytrace=False)
    pytest.skip("Kerberos clock-skew tests: libfaketime not found (Debian package faketime)")


@pytest.fixture(scope="session")
def realm() -> Iterator[Realm]:
    require_kerberos()
    try:
        started = start_realm(extra_users={"shortlife": "Short-Passw0rd!", "other": "Other-Passw0rd!"})
    except RealmError as exc:
        if os.environ.get(REQUIRE_VAR, "") not in ("", "0"):
            pytest.fail(f"the Kerberos realm did not start: {exc}", pytrace=False)
        pytest.skip(f"Kerberos tests: the realm did not start: {exc}")
    started.admin('modprinc -maxlife "3 seconds" shortlife')
    yield started
    started.stop()


@pytest.fixture
def kerberos_fleet(realm: Realm) -> Iterator[RunningFleet]:
    """Two healthy Kerberos-only lab hosts in this process, accepting the realm's user."""
    hosts = [
        HostConfig(
            name=name, transport="kerberos", keytab=realm.keytab, username=realm.principal, password=realm.password
        )
        for name in ("HV-K1", "HV-K2")
    ]
    running = start_fleet(build_fleet(hosts), processes=False)
    yield running
    running.stop()


@pytest.fixture
def client_env(realm: Realm, tmp_path: Path) -> dict[str, str]:
    """A client's environment: the realm's krb5.conf, its own (empty) ticket cache, no password."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HVBPA_", "KRB5"))}
    env.update(realm.env(f"FILE:{tmp_path}/ccache"))
    env["COLUMNS"] = "200"
    return env


def hvbpa_command() -> list[str]:
    found = shutil.which("hvbpa", path=str(Path(sys.executable).parent))
    assert found, "hvbpa console script not installed beside this Python"
    return [found]
