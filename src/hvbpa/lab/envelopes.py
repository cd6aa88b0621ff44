"""WS-Management SOAP envelopes: reading requests, writing responses and faults.

Responses follow the shape of envelopes recorded from real Windows hosts
(pywinrm's tests/conftest.py, pypsrp's tests/tests_pypsrp/responses/*.yml), so a
client that parses Windows parses the lab the same way.
"""

from __future__ import annotations

import base64
import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

NS = {
    "s": "http://www.w3.org/2003/05/soap-envelope",
    "a": "http://schemas.xmlsoap.org/ws/2004/08/addressing",
    "w": "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd",
    "p": "http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd",
    "x": "http://schemas.xmlsoap.org/ws/2004/09/transfer",
    "rsp": "http://schemas.microsoft.com/wbem/wsman/1/windows/shell",
    "f": "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault",
}

SHELL_URI = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell"
TRANSFER_URI = "http://schemas.xmlsoap.org/ws/2004/09/transfer"
CMD_RESOURCE = SHELL_URI + "/cmd"
ANONYMOUS = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"
FAULT_ACTION = "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault"

# The host's MaxEnvelopeSizekb: 500 on Windows Server 2012 and later (150 before). A host uses
# it when a request names no MaxEnvelopeSize or a larger one (MS-WSMV 3.1.4.1.7).
MAX_ENVELOPE_SIZE = 500 * 1024
DEFAULT_OPERATION_TIMEOUT = 60.0

# WSManFault codes seen on real hosts (wsmerror.h).
OPERATION_TIMED_OUT = 2150858793
INVALID_SELECTORS = 2150858813
UNKNOWN_COMMAND_ID = 2150858843
INVALID_ACTION_URI = 2150858753
INVALID_XML = 2150858819
QUOTA_MAX_SHELLS = 2150859173
INVALID_RESOURCE_URI = 2150858811
CONFIG_URI = "http://schemas.microsoft.com/wbem/wsman/1/config"
CONFIG_NS = CONFIG_URI

_DURATION_RE = re.compile(r"^PT(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?$")


@dataclass(frozen=True)
class Fault:
    """A SOAP fault as Windows writes it; ``http_status`` is always 500 there."""

    code: int
    reason: str
    subcode: str = "w:InternalError"
    value: str = "s:Receiver"
    provider_fault: bool = False
    http_status: int = 500
    # Quota faults come as a CIM error instance (MSFT_WmiError) instead of a WSManFault.
    wmi_error: bool = False
    # A w:FaultDetail URI Windows adds for some faults (an invalid resource URI).
    detail_uri: str = ""


class FaultError(Exception):
    """Raised inside request handling to answer with a fault."""

    def __init__(self, fault: Fault) -> None:
        super().__init__(fault.reason)
        self.fault = fault


class EnvelopeError(ValueError):
    """The request body is not a WS-Management envelope the lab understands."""


@dataclass(frozen=True)
class Request:
    """The parts of a WS-Management request the lab acts on."""

    action: str
    message_id: str
    shell_id: str | None
    operation_timeout: float
    max_envelope_size: int
    options: dict[str, str] = field(default_factory=dict)
    body: ET.Element | None = None
    resource_uri: str = ""

    @property
    def verb(self) -> str:
        return self.action.rsplit("/", 1)[-1]


def parse_duration(text: str | None, default: float = DEFAULT_OPERATION_TIMEOUT) -> float:
    """xs:duration as WinRM clients send it (``PT20S``, ``PT1M30.5S``)."""
    if not text:
        return default
    match = _DURATION_RE.match(text.strip())
    if not match:
        return default
    hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def parse_request(data: bytes) -> Request:
    try:
        root = ET.fromstring(data)  # noqa: S314 - loopback lab, trusted test clients
    except ET.ParseError as exc:
        raise EnvelopeError(f"not XML: {exc}") from None
    header = root.find("s:Header", NS)
    if header is None:
        raise EnvelopeError("no SOAP header")

    def text(path: str) -> str | None:
        node = header.find(path, NS)
        return node.text.strip() if node is not None and node.text else None

    action = text("a:Action")
    message_id = text("a:MessageID")
    if not action or not message_id:
        raise EnvelopeError("a:Action and a:MessageID are required")
    shell_id = None
    for selector in header.findall("w:SelectorSet/w:Selector", NS):
        if selector.get("Name") == "ShellId":
            shell_id = (selector.text or "").strip()
    options = {
        str(option.get("Name")): (option.text or "").strip()
        for option in header.findall("w:OptionSet/w:Option", NS)
        if option.get("Name")
    }
    max_size = text("w:MaxEnvelopeSize")
    return Request(
        action=action,
        message_id=message_id,
        shell_id=shell_id,
        operation_timeout=parse_duration(text("w:OperationTimeout")),
        max_envelope_size=min(int(max_size), MAX_ENVELOPE_SIZE)
        if max_size and max_size.isdigit()
        else MAX_ENVELOPE_SIZE,
        options=options,
        body=root.find("s:Body", NS),
        resource_uri=text("w:ResourceURI") or "",
    )


def _envelope(action: str, relates_to: str, body: str, namespaces: str = "") -> bytes:
    message_id = "uuid:" + str(uuid.uuid4()).upper()
    return (
        f'<s:Envelope xml:lang="en-US" xmlns:s="{NS["s"]}" xmlns:a="{NS["a"]}" xmlns:x="{NS["x"]}" '
        f'xmlns:w="{NS["w"]}" xmlns:rsp="{NS["rsp"]}" xmlns:p="{NS["p"]}"{namespaces}>'
        f"<s:Header><a:Action>{escape(action)}</a:Action><a:MessageID>{message_id}</a:MessageID>"
        f"<a:To>{ANONYMOUS}</a:To><a:RelatesTo>{escape(relates_to)}</a:RelatesTo></s:Header>"
        f"<s:Body>{body}</s:Body></s:Envelope>"
    ).encode()


def create_response(request: Request, endpoint: str, shell_id: str, owner: str, client_ip: str) -> bytes:
    body = (
        f"<x:ResourceCreated><a:Address>{escape(endpoint)}</a:Address><a:ReferenceParameters>"
        f"<w:ResourceURI>{CMD_RESOURCE}</w:ResourceURI><w:SelectorSet>"
        f'<w:Selector Name="ShellId">{shell_id}</w:Selector></w:SelectorSet></a:ReferenceParameters>'
        f"</x:ResourceCreated>"
        f'<rsp:Shell xmlns:rsp="{NS["rsp"]}"><rsp:ShellId>{shell_id}</rsp:ShellId>'
        f"<rsp:ResourceUri>{CMD_RESOURCE}</rsp:ResourceUri><rsp:Owner>{escape(owner)}</rsp:Owner>"
        f"<rsp:ClientIP>{escape(client_ip)}</rsp:ClientIP><rsp:IdleTimeOut>PT7200.000S</rsp:IdleTimeOut>"
        f"<rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams>"
        f"<rsp:ShellRunTime>P0DT0H0M0S</rsp:ShellRunTime><rsp:ShellInactivity>P0DT0H0M0S</rsp:ShellInactivity>"
        f"</rsp:Shell>"
    )
    return _envelope(TRANSFER_URI + "/CreateResponse", request.message_id, body)


def command_response(request: Request, command_id: str) -> bytes:
    body = f"<rsp:CommandResponse><rsp:CommandId>{command_id}</rsp:CommandId></rsp:CommandResponse>"
    return _envelope(SHELL_URI + "/CommandResponse", request.message_id, body)


def send_response(request: Request) -> bytes:
    return _envelope(SHELL_URI + "/SendResponse", request.message_id, "<rsp:SendResponse/>")


def signal_response(request: Request) -> bytes:
    return _envelope(SHELL_URI + "/SignalResponse", request.message_id, "<rsp:SignalResponse/>")


def delete_response(request: Request) -> bytes:
    return _envelope(TRANSFER_URI + "/DeleteResponse", request.message_id, "")


def receive_response(
    request: Request,
    command_id: str,
    stdout: bytes,
    stderr: bytes,
    exit_code: int | None,
) -> bytes:
    """One Receive answer; ``exit_code`` None means the command is still running."""
    parts: list[str] = []
    for name, data in (("stdout", stdout), ("stderr", stderr)):
        if data:
            encoded = base64.b64encode(data).decode("ascii")
            parts.append(f'<rsp:Stream Name="{name}" CommandId="{command_id}">{encoded}</rsp:Stream>')
    if exit_code is None:
        parts.append(f'<rsp:CommandState CommandId="{command_id}" State="{SHELL_URI}/CommandState/Running"/>')
    else:
        parts.append(f'<rsp:Stream Name="stdout" CommandId="{command_id}" End="true"/>')
        parts.append(f'<rsp:Stream Name="stderr" CommandId="{command_id}" End="true"/>')
        parts.append(
            f'<rsp:CommandState CommandId="{command_id}" State="{SHELL_URI}/CommandState/Done">'
            f"<rsp:ExitCode>{exit_code}</rsp:ExitCode></rsp:CommandState>"
        )
    body = "<rsp:ReceiveResponse>" + "".join(parts) + "</rsp:ReceiveResponse>"
    return _envelope(SHELL_URI + "/ReceiveResponse", request.message_id, body)


# What a Receive envelope costs besides its base64 payload, with room to spare.
RECEIVE_OVERHEAD = 2048


def receive_payload_budget(max_envelope_size: int) -> int:
    """Raw output bytes that fit one Receive envelope once base64-encoded."""
    room = max(max_envelope_size - RECEIVE_OVERHEAD, 1024)
    return (room * 3 // 4) // 3 * 3


def fault_response(fault: Fault, relates_to: str | None, machine: str) -> bytes:
    reason = escape(fault.reason)
    if fault.wmi_error:
        detail = _wmi_error(fault)
    else:
        if fault.provider_fault:
            # Process-creation failures come wrapped by the shell plugin.
            message = (
                '<f:Message><f:ProviderFault provider="Shell cmd plugin" '
                f'path="%systemroot%\\system32\\winrscmd.dll">{reason}</f:ProviderFault></f:Message>'
            )
        else:
            message = f"<f:Message>{reason}</f:Message>"
        detail = (
            f'<f:WSManFault xmlns:f="{NS["f"]}" Code="{fault.code}" Machine={quoteattr(machine)}>'
            f"{message}</f:WSManFault>"
        )
    if fault.detail_uri:
        detail = f"<w:FaultDetail>{escape(fault.detail_uri)}</w:FaultDetail>" + detail
    body = (
        f"<s:Fault><s:Code><s:Value>{fault.value}</s:Value><s:Subcode><s:Value>{fault.subcode}</s:Value>"
        f'</s:Subcode></s:Code><s:Reason><s:Text xml:lang="en-US">{reason}</s:Text></s:Reason>'
        f"<s:Detail>{detail}</s:Detail></s:Fault>"
    )
    return _envelope(FAULT_ACTION, relates_to or "uuid:00000000-0000-0000-0000-000000000000", body)


WMI_ERROR_NS = "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/MSFT_WmiError"


def _wmi_error(fault: Fault) -> str:
    """An MSFT_WmiError instance as Windows writes one in a fault's detail (pywinrm's tests hold a
    recorded one): CIM status 27, the HRESULT's code, and the message three times."""
    message = escape(fault.reason)
    nil = 'xsi:type="cim:cimString" xsi:nil="true"'
    return (
        f'<p:MSFT_WmiError b:IsCIM_Error="true" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xmlns:b="http://schemas.dmtf.org/wbem/wsman/1/cimbinding.xsd" xmlns:p="{WMI_ERROR_NS}" '
        'xmlns:cim="http://schemas.dmtf.org/wbem/wscim/1/common" xsi:type="p:MSFT_WmiError_Type">'
        '<p:CIMStatusCode xsi:type="cim:cimUnsignedInt">27</p:CIMStatusCode>'
        f"<p:CIMStatusCodeDescription {nil}/><p:ErrorSource {nil}/>"
        '<p:ErrorSourceFormat xsi:type="cim:cimUnsignedShort">0</p:ErrorSourceFormat>'
        '<p:ErrorType xsi:type="cim:cimUnsignedShort">0</p:ErrorType>'
        f'<p:Message xsi:type="cim:cimString">{message}</p:Message>'
        f'<p:MessageID xsi:type="cim:cimString">HRESULT 0x{fault.code:08x}</p:MessageID>'
        f"<p:OtherErrorSourceFormat {nil}/><p:OtherErrorType {nil}/><p:OwningEntity {nil}/>"
        '<p:PerceivedSeverity xsi:type="cim:cimUnsignedShort">0</p:PerceivedSeverity>'
        '<p:ProbableCause xsi:type="cim:cimUnsignedShort">0</p:ProbableCause>'
        f"<p:ProbableCauseDescription {nil}/>"
        '<p:error_Category xsi:type="cim:cimUnsignedInt">30</p:error_Category>'
        f'<p:error_Code xsi:type="cim:cimUnsignedInt">{fault.code}</p:error_Code>'
        '<p:error_Type xsi:type="cim:cimString">HRESULT</p:error_Type>'
        f'<p:error_WindowsErrorMessage xsi:type="cim:cimString">{message}</p:error_WindowsErrorMessage>'
        "</p:MSFT_WmiError>"
    )


def operation_timeout_fault() -> Fault:
    return Fault(
        OPERATION_TIMED_OUT,
        "The WS-Management service cannot complete the operation within the time specified in OperationTimeout.  ",
        subcode="w:TimedOut",
    )


def unknown_shell_fault() -> Fault:
    return Fault(
        INVALID_SELECTORS,
        "The WS-Management service cannot process the request because the request contained invalid selectors "
        "for the resource. ",
        subcode="w:InvalidSelectors",
        value="s:Sender",
    )


def unknown_command_fault() -> Fault:
    return Fault(
        UNKNOWN_COMMAND_ID,
        "The Windows Remote Shell received a request to perform an operation on a command identifier that does "
        "not exist. Either the command has completed execution or the client specified an invalid command "
        "identifier. ",
        subcode="w:InvalidSelectors",
        value="s:Sender",
    )


def max_shells_fault(limit: int) -> Fault:
    return Fault(
        QUOTA_MAX_SHELLS,
        f"The WS-Management service cannot process the request. This user is allowed a maximum number of {limit} "
        "concurrent shells, which has been exceeded. Close existing shells or raise the quota for this user. ",
        subcode="w:InternalError",
        wmi_error=True,
    )


def invalid_resource_uri_fault(resource_uri: str) -> Fault:
    """What Windows answers for a resource URI no plugin serves (a PowerShell session
    configuration that is not registered among them), before any shell exists."""
    return Fault(
        INVALID_RESOURCE_URI,
        f"The WS-Management service cannot process the request. The resource URI ({resource_uri}) was not found in "
        "the WS-Management catalog. The catalog contains the metadata that describes resources, or logical "
        "endpoints. ",
        subcode="a:DestinationUnreachable",
        value="s:Sender",
        detail_uri="http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/InvalidResourceURI",
    )


def config_response(request: Request, *, basic: bool, certificate: bool, max_shells: int) -> bytes:
    """The answer to a WS-Transfer Get of winrm/config, as Windows Server 2012 and later give it
    (clients read MaxEnvelopeSizekb from it; pypsrp's tests hold a recorded one)."""

    def flag(value: bool) -> str:
        return "true" if value else "false"

    body = (
        f'<cfg:Config xmlns:cfg="{CONFIG_NS}">'
        f"<cfg:MaxEnvelopeSizekb>{MAX_ENVELOPE_SIZE // 1024}</cfg:MaxEnvelopeSizekb>"
        f"<cfg:MaxTimeoutms>{int(DEFAULT_OPERATION_TIMEOUT * 1000)}</cfg:MaxTimeoutms>"
        "<cfg:MaxBatchItems>32000</cfg:MaxBatchItems><cfg:MaxProviderRequests>4294967295</cfg:MaxProviderRequests>"
        "<cfg:Client><cfg:NetworkDelayms>5000</cfg:NetworkDelayms><cfg:URLPrefix>wsman</cfg:URLPrefix>"
        "<cfg:AllowUnencrypted>false</cfg:AllowUnencrypted><cfg:Auth><cfg:Basic>true</cfg:Basic>"
        "<cfg:Digest>true</cfg:Digest><cfg:Kerberos>true</cfg:Kerberos><cfg:Negotiate>true</cfg:Negotiate>"
        "<cfg:Certificate>true</cfg:Certificate><cfg:CredSSP>false</cfg:CredSSP></cfg:Auth><cfg:DefaultPorts>"
        "<cfg:HTTP>5985</cfg:HTTP><cfg:HTTPS>5986</cfg:HTTPS></cfg:DefaultPorts><cfg:TrustedHosts></cfg:TrustedHosts>"
        "</cfg:Client><cfg:Service><cfg:RootSDDL>O:NSG:BAD:P(A;;GA;;;BA)(A;;GR;;;IU)S:P(AU;FA;GA;;;WD)(AU;SA;GXGW;;;WD)"
        "</cfg:RootSDDL><cfg:MaxConcurrentOperations>4294967295</cfg:MaxConcurrentOperations>"
        "<cfg:MaxConcurrentOperationsPerUser>1500</cfg:MaxConcurrentOperationsPerUser>"
        "<cfg:EnumerationTimeoutms>240000</cfg:EnumerationTimeoutms><cfg:MaxConnections>300</cfg:MaxConnections>"
        "<cfg:MaxPacketRetrievalTimeSeconds>120</cfg:MaxPacketRetrievalTimeSeconds>"
        f"<cfg:AllowUnencrypted>{flag(basic)}</cfg:AllowUnencrypted><cfg:Auth><cfg:Basic>{flag(basic)}</cfg:Basic>"
        "<cfg:Kerberos>true</cfg:Kerberos><cfg:Negotiate>true</cfg:Negotiate>"
        f"<cfg:Certificate>{flag(certificate)}</cfg:Certificate><cfg:CredSSP>false</cfg:CredSSP>"
        "<cfg:CbtHardeningLevel>Relaxed</cfg:CbtHardeningLevel></cfg:Auth><cfg:DefaultPorts><cfg:HTTP>5985</cfg:HTTP>"
        "<cfg:HTTPS>5986</cfg:HTTPS></cfg:DefaultPorts><cfg:IPv4Filter>*</cfg:IPv4Filter><cfg:IPv6Filter>*</cfg:IPv6Filter>"
        "<cfg:EnableCompatibilityHttpListener>false</cfg:EnableCompatibilityHttpListener>"
        "<cfg:EnableCompatibilityHttpsListener>false</cfg:EnableCompatibilityHttpsListener>"
        "<cfg:CertificateThumbprint></cfg:CertificateThumbprint><cfg:AllowRemoteAccess>true</cfg:AllowRemoteAccess>"
        "</cfg:Service><cfg:Winrs><cfg:AllowRemoteShellAccess>true</cfg:AllowRemoteShellAccess>"
        "<cfg:IdleTimeout>7200000</cfg:IdleTimeout><cfg:MaxConcurrentUsers>2147483647</cfg:MaxConcurrentUsers>"
        "<cfg:MaxShellRunTime>2147483647</cfg:MaxShellRunTime><cfg:MaxProcessesPerShell>2147483647"
        "</cfg:MaxProcessesPerShell><cfg:MaxMemoryPerShellMB>2147483647</cfg:MaxMemoryPerShellMB>"
        f"<cfg:MaxShellsPerUser>{max_shells}</cfg:MaxShellsPerUser></cfg:Winrs></cfg:Config>"
    )
    return _envelope(TRANSFER_URI + "/GetResponse", request.message_id, body)


def action_not_supported_fault(action: str) -> Fault:
    return Fault(
        INVALID_ACTION_URI,
        f"The WS-Management service cannot process the request. The WS-Addressing action URI {action} is invalid. ",
        subcode="a:ActionNotSupported",
        value="s:Sender",
    )


def invalid_xml_fault(detail: str) -> Fault:
    return Fault(
        INVALID_XML,
        f"The WS-Management service cannot process the request because the XML is invalid. {detail}",
        subcode="w:SchemaValidationError",
        value="s:Sender",
    )


def process_creation_fault(win32_code: int, message: str) -> Fault:
    return Fault(win32_code, message, provider_fault=True)


def find_body(request: Request, path: str) -> ET.Element | None:
    if request.body is None:
        return None
    return request.body.find(path, NS)
