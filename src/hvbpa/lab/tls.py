"""A throwaway certificate authority for HTTPS lab hosts (trustme)."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path

import trustme

LAB_NAMES = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class TlsMaterial:
    """PEM files on disk: the CA a client trusts, and the server's chain and key."""

    ca_pem: Path
    cert_chain_pem: Path
    key_pem: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(str(self.cert_chain_pem), str(self.key_pem))
        return context


def make_tls_material(directory: Path, names: tuple[str, ...] = LAB_NAMES) -> TlsMaterial:
    """A new CA and a server certificate for ``names``, written under ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA(organization_name="hvbpa lab CA")
    server = ca.issue_cert(*names)
    material = TlsMaterial(
        ca_pem=directory / "lab-ca.pem",
        cert_chain_pem=directory / "lab-server-chain.pem",
        key_pem=directory / "lab-server-key.pem",
    )
    ca.cert_pem.write_to_path(str(material.ca_pem))
    server.private_key_pem.write_to_path(str(material.key_pem))
    chain = b"".join(blob.bytes() for blob in server.cert_chain_pems)
    material.cert_chain_pem.write_bytes(chain)
    material.key_pem.chmod(0o600)
    return material
