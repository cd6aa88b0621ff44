"""A throwaway certificate authority for HTTPS lab hosts (trustme), and client certificates.

Certificate authentication (``certificate-https`` hosts) works as on Windows:
the listener demands a client certificate in the TLS handshake, trusts only the
lab CA for it, and maps the certificate to an account by its subjectAltName.
Windows maps the User Principal Name (otherName 1.3.6.1.4.1.311.20.2.3) that a
``winrm/config/service/certmapping`` entry names; the lab's rule is the same
with one simplification, documented in :func:`certificate_principals` and
:func:`hvbpa.lab.auth.certificate_user`.
"""

from __future__ import annotations

import datetime
import ssl
from dataclasses import dataclass
from pathlib import Path

import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

LAB_NAMES = ("127.0.0.1", "localhost", "::1")
# Microsoft's User Principal Name otherName, as Windows and AD CS put it in client certificates.
UPN_OID = ObjectIdentifier("1.3.6.1.4.1.311.20.2.3")


@dataclass(frozen=True)
class TlsMaterial:
    """PEM files on disk: the CA a client trusts, and the server's chain and key.

    ``ca_key_pem`` (the CA's private key) is there to issue client certificates
    for certificate authentication; servers never read it.
    """

    ca_pem: Path
    cert_chain_pem: Path
    key_pem: Path
    ca_key_pem: Path | None = None

    def server_context(self, *, require_client_cert: bool = False) -> ssl.SSLContext:
        """The listener's context; with ``require_client_cert`` no handshake completes without
        a client certificate issued by the lab CA (``verify_mode = CERT_REQUIRED``)."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(str(self.cert_chain_pem), str(self.key_pem))
        if require_client_cert:
            context.verify_mode = ssl.CERT_REQUIRED
            context.load_verify_locations(cafile=str(self.ca_pem))
        return context


@dataclass(frozen=True)
class ClientCertificate:
    """A client certificate and its private key on disk (pywinrm's cert_pem / cert_key_pem)."""

    principal: str
    cert_pem: Path
    key_pem: Path


def make_tls_material(directory: Path, names: tuple[str, ...] = LAB_NAMES) -> TlsMaterial:
    """A new CA and a server certificate for ``names``, written under ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA(organization_name="hvbpa lab CA")
    server = ca.issue_cert(*names)
    material = TlsMaterial(
        ca_pem=directory / "lab-ca.pem",
        cert_chain_pem=directory / "lab-server-chain.pem",
        key_pem=directory / "lab-server-key.pem",
        ca_key_pem=directory / "lab-ca-key.pem",
    )
    ca.cert_pem.write_to_path(str(material.ca_pem))
    server.private_key_pem.write_to_path(str(material.key_pem))
    chain = b"".join(blob.bytes() for blob in server.cert_chain_pems)
    material.cert_chain_pem.write_bytes(chain)
    material.key_pem.chmod(0o600)
    assert material.ca_key_pem is not None
    ca.private_key_pem.write_to_path(str(material.ca_key_pem))
    material.ca_key_pem.chmod(0o600)
    return material


def _der_utf8_string(text: str) -> bytes:
    """DER of an ASN.1 UTF8String, the value of a UPN otherName."""
    data = text.encode("utf-8")
    if len(data) < 0x80:
        length = bytes([len(data)])
    else:
        size = len(data).to_bytes((len(data).bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(size)]) + size
    return b"\x0c" + length + data


def _parse_der_utf8_string(value: bytes) -> str | None:
    if len(value) < 2 or value[0] != 0x0C:
        return None
    length, offset = value[1], 2
    if length & 0x80:
        count = length & 0x7F
        length, offset = int.from_bytes(value[2 : 2 + count], "big"), 2 + count
    body = value[offset : offset + length]
    if len(body) != length:
        return None
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


def issue_client_certificate(
    material: TlsMaterial, principal: str, directory: Path, *, stem: str | None = None
) -> ClientCertificate:
    """A client-authentication certificate for ``principal`` (``user@domain``), signed by the
    lab CA, shaped like one from AD CS: UPN otherName in subjectAltName, EKU clientAuth."""
    if material.ca_key_pem is None:
        raise ValueError("this TLS material has no CA key; make it with make_tls_material")
    ca_cert = x509.load_pem_x509_certificate(material.ca_pem.read_bytes())
    ca_key = serialization.load_pem_private_key(material.ca_key_pem.read_bytes(), password=None)
    if not isinstance(ca_key, ec.EllipticCurvePrivateKey):
        raise ValueError("the lab CA key is not an EC key")
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, principal)]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .add_extension(
            x509.SubjectAlternativeName([x509.OtherName(UPN_OID, _der_utf8_string(principal))]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    base = stem or principal.replace("\\", "_").replace("@", "_at_")
    issued = ClientCertificate(
        principal=principal,
        cert_pem=directory / f"{base}-client-cert.pem",
        key_pem=directory / f"{base}-client-key.pem",
    )
    issued.cert_pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    issued.key_pem.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    issued.key_pem.chmod(0o600)
    return issued


def certificate_principals(cert_der: bytes) -> list[str]:
    """The names a client certificate can be mapped by, in the order the lab tries them.

    The UPN otherName (what Windows maps), then email (rfc822Name) subjectAltNames
    (what ``trustme.CA.issue_cert("user@domain")`` writes). The subject is not used:
    like Windows, a certificate without a subjectAltName maps to nobody.
    """
    try:
        cert = x509.load_der_x509_certificate(cert_der)
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (ValueError, x509.ExtensionNotFound):
        return []
    found: list[str] = []
    for other in names.get_values_for_type(x509.OtherName):
        if other.type_id == UPN_OID:
            upn = _parse_der_utf8_string(other.value)
            if upn:
                found.append(upn)
    found.extend(names.get_values_for_type(x509.RFC822Name))
    return found
