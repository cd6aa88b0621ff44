"""English and Korean text for reasons, statuses and report headings.

Verdicts carry reason *codes*; text is chosen only when a report is written, so a
JSON report and a Korean table come from the same results.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from hvbpa import i18n_kerberos as _kerberos
from hvbpa import i18n_replication as _replication


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a verdict was reached: a stable code (for i18n and machines) and its parameters."""

    code: str
    params: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, code: str, **params: object) -> Reason:
        if not params:
            return _bare_reason(code)
        return cls(code, tuple((k, str(v)) for k, v in sorted(params.items())))

    def param(self, key: str) -> str:
        return dict(self.params).get(key, "")


@functools.cache
def _bare_reason(code: str) -> Reason:
    # Parameterless reasons recur on thousands of VMs; they are immutable, so one each.
    return Reason(code)


LANGS = ("en", "ko")

_REASONS: dict[str, tuple[str, str]] = {
    "kvp-disabled": (
        "the Data Exchange (KVP) integration service is disabled in the VM's settings, so no address can be injected",
        "가상 머신 설정에서 데이터 교환(KVP) 통합 서비스가 꺼져 있어 주소를 넣을 수 없습니다",
    ),
    "vm-not-running": (
        "the VM is {state} and no partner VM in this run shows its guest",
        "가상 머신이 {state} 상태이고, 이번 검사에 게스트 상태를 알려 줄 파트너 가상 머신이 없습니다",
    ),
    "within-grace-period": (
        "up for only {uptime} (grace period {grace}): the guest may still be starting",
        "실행된 지 {uptime}밖에 되지 않았습니다(유예 시간 {grace}). 게스트가 아직 시작 중일 수 있습니다",
    ),
    "uptime-missing": (
        "the host did not report the VM's uptime, so a fresh boot cannot be told from missing components",
        "호스트가 가상 머신의 실행 시간을 보고하지 않아, 막 시작된 것인지 구성 요소가 없는 것인지 구분할 수 없습니다",
    ),
    "collection-error": (
        "collecting {section} failed on the host{message_suffix}",
        "호스트에서 {section} 정보를 수집하지 못했습니다{message_suffix}",
    ),
    "no-hyperv-module": (
        "the Hyper-V PowerShell module is not installed on the host",
        "호스트에 Hyper-V PowerShell 모듈이 설치되어 있지 않습니다",
    ),
    "not-hyperv-admin": (
        "the account is neither an administrator nor a member of Hyper-V Administrators on the host",
        "계정이 호스트의 관리자도 Hyper-V Administrators 그룹 구성원도 아닙니다",
    ),
    "host-not-collected": (
        "the host could not be scanned ({status}: {why})",
        "호스트를 검사하지 못했습니다({status}: {why})",
    ),
    # Why a host could not be scanned: one plain sentence per kind of failure (hvbpa.collect.wsman).
    "host-refused": ("connection refused on port {port}", "포트 {port}에서 연결을 거부했습니다"),
    "host-connect-timeout": (
        "no answer to the connection on port {port} (host down or a firewall in the way)",
        "포트 {port}로 연결했으나 응답이 없습니다(호스트가 꺼져 있거나 방화벽이 막고 있음)",
    ),
    "host-unresolved": ("the name {address} could not be resolved", "이름 {address}을(를) 확인할 수 없습니다"),
    "host-reset": (
        "port {port} closed the connection: it may expect HTTPS or another transport "
        "(--scheme/--transport, or scheme=/transport= in the hosts file)",
        "포트 {port}가 연결을 끊었습니다. HTTPS나 다른 전송 방식을 기대할 수 있습니다"
        "(--scheme/--transport 또는 호스트 파일의 scheme=/transport=)",
    ),
    "host-connect-failed": (
        "the connection to port {port} failed ({detail})",
        "포트 {port} 연결에 실패했습니다({detail})",
    ),
    "host-bad-address": (
        "{address} is not a valid host name or address",
        "{address}은(는) 올바른 호스트 이름이나 주소가 아닙니다",
    ),
    "host-tls-name": (
        "the host's TLS certificate is not valid for the name {name} that was used to connect",
        "호스트의 TLS 인증서가 연결에 사용한 이름 {name}에 유효하지 않습니다",
    ),
    "host-tls-untrusted": (
        "the host's TLS certificate is not trusted ({detail}): give its CA with --ca-trust-path",
        "호스트의 TLS 인증서를 신뢰할 수 없습니다({detail}). --ca-trust-path로 CA를 지정하십시오",
    ),
    "host-tls-expired": ("the host's TLS certificate has expired", "호스트의 TLS 인증서가 만료되었습니다"),
    "host-tls-plain": (
        "port {port} does not speak TLS (is it an http port?)",
        "포트 {port}는 TLS를 사용하지 않습니다(http 포트인지 확인)",
    ),
    "host-tls-handshake": (
        "the host ended the TLS handshake (does it trust the client certificate's CA?)",
        "호스트가 TLS 핸드셰이크를 끊었습니다(클라이언트 인증서의 CA를 신뢰하는지 확인)",
    ),
    "host-tls-failed": ("the TLS handshake failed ({detail})", "TLS 핸드셰이크에 실패했습니다({detail})"),
    "host-latin1": (
        "the user name or password has characters Basic authentication cannot send (Latin-1 only): use NTLM or "
        "Kerberos",
        "사용자 이름이나 암호에 Basic 인증으로 보낼 수 없는 문자가 있습니다(Latin-1만 가능). NTLM이나 Kerberos를 "
        "사용하십시오",
    ),
    "host-credentials": (
        "the host rejected the credentials of {user} (HTTP 401)",
        "호스트가 {user}의 자격 증명을 거부했습니다(HTTP 401)",
    ),
    "host-access-denied": (
        "access denied (WinRM fault {fault}): {user} logged on but may not use WinRM here; make it a local "
        "administrator, or a member of Remote Management Users and Hyper-V Administrators",
        "액세스가 거부되었습니다(WinRM 오류 {fault}). {user}(으)로 로그온했지만 WinRM을 사용할 권한이 없습니다. 로컬 "
        "관리자로 만들거나 Remote Management Users와 Hyper-V Administrators 그룹에 추가하십시오",
    ),
    "host-winrm-fault": ("WinRM fault {fault}: {message}", "WinRM 오류 {fault}: {message}"),
    "host-http-error": ("the WinRM service answered HTTP {http}", "WinRM 서비스가 HTTP {http}로 응답했습니다"),
    "host-not-winrm": (
        "no WinRM service at this address (HTTP {http}): wrong port or path?",
        "이 주소에 WinRM 서비스가 없습니다(HTTP {http}). 포트나 경로가 틀리지 않았습니까?",
    ),
    "host-read-timeout": (
        "the host stopped answering (read timed out)",
        "호스트가 응답을 멈췄습니다(읽기 시간 초과)",
    ),
    "host-deadline": ("no answer within the {seconds} s deadline", "제한 시간 {seconds}초 안에 응답이 없습니다"),
    "host-interrupted": (
        "interrupted before the scan of this host finished",
        "이 호스트의 검사가 끝나기 전에 중단되었습니다",
    ),
    "host-worker-ended": ("the scan worker ended early", "검사 작업자 프로세스가 일찍 끝났습니다"),
    "host-too-big": ("the output exceeds {mb} MB", "출력이 {mb}MB를 넘습니다"),
    "host-script-failed": (
        "the collection script exited with code {exit}: {detail}",
        "수집 스크립트가 코드 {exit}로 끝났습니다: {detail}",
    ),
    "host-bad-output": ("the host's answer is not a snapshot: {detail}", "호스트의 응답이 스냅숏이 아닙니다: {detail}"),
    "host-over-bound": (
        "the host's answer is larger than one host may send: {detail}",
        "호스트의 응답이 한 호스트에 허용된 크기를 넘습니다: {detail}",
    ),
    "host-create-timeout": (
        "the host did not open a shell within the {seconds} s operation timeout (WinRM on the host is busy or "
        "overloaded)",
        "호스트가 작업 제한 시간 {seconds}초 안에 셸을 열지 못했습니다(호스트의 WinRM이 바쁘거나 과부하 상태입니다)",
    ),
    "host-command-timeout": (
        "the host did not confirm the start of the collection script within the {seconds} s operation timeout; "
        "not retried, since it may have started",
        "호스트가 작업 제한 시간 {seconds}초 안에 수집 스크립트의 시작을 확인하지 않았습니다. 이미 시작되었을 수 "
        "있으므로 다시 시도하지 않았습니다",
    ),
    "host-send-timeout": (
        "the host did not take the collection script within the {seconds} s operation timeout",
        "호스트가 작업 제한 시간 {seconds}초 안에 수집 스크립트를 받지 않았습니다",
    ),
    "host-internal": (
        "hvbpa failed on this host ({detail}); please report it",
        "hvbpa가 이 호스트에서 실패했습니다({detail}). 문제를 보고해 주십시오",
    ),
    "rule-internal-error": (
        "hvbpa's check {check} failed ({error}); please report it",
        "hvbpa의 검사 {check}이(가) 실패했습니다({error}). 문제를 보고해 주십시오",
    ),
    "host-request-failed": ("the WinRM request failed ({detail})", "WinRM 요청이 실패했습니다({detail})"),
    "host-language-mode": (
        "PowerShell runs in Constrained Language Mode ({mode}), which an AppLocker or WDAC policy sets; "
        "the collection script needs FullLanguage for this account's remote sessions",
        "PowerShell이 제한된 언어 모드({mode})로 실행됩니다(AppLocker 또는 WDAC 정책). 수집 스크립트는 "
        "이 계정의 원격 세션에서 FullLanguage 모드가 필요합니다",
    ),
}

_UI: dict[str, tuple[str, str]] = {
    "rule": ("Rule", "규칙"),
    "severity": ("Severity", "심각도"),
    "host": ("Host", "호스트"),
    "status": ("Status", "상태"),
    "vm": ("Virtual machine", "가상 머신"),
    "mode": ("Replication", "복제"),
    "why": ("Why", "이유"),
    "affected": ("Affected virtual machines", "영향을 받는 가상 머신"),
    "findings": ("Findings", "발견 사항"),
    "undetermined_title": ("Could not determine", "확인할 수 없음"),
    "failed_hosts": ("Hosts that could not be scanned", "검사하지 못한 호스트"),
    "reason": ("Reason", "이유"),
    "summary_hosts": (
        "Hosts: {ok} of {hosts} scanned, {failed} not scanned",
        "호스트: {hosts}대 중 {ok}대 검사, {failed}대 검사 못 함",
    ),
    "summary_hosts_unjudged": (", {unjudged} scanned but not judged", ", {unjudged}대는 검사했으나 판정 불가"),
    # Each footer line is a total, what it is one of, and parts that add up to it.
    "summary": (
        "Results by rule and host: {total}, one per rule and host scanned: {noncompliant} with findings{split}, "
        "{undetermined} undetermined, {compliant} compliant, {not_applicable} not applicable, {excluded} excluded",
        "규칙·호스트별 결과: 검사한 호스트마다 규칙당 하나씩 {total}건: 발견 {noncompliant}건{split}, "
        "확인 불가 {undetermined}건, 준수 {compliant}건, 해당 없음 {not_applicable}건, 제외 {excluded}건",
    ),
    "summary_split": (
        " ({by_vm} from rules judged per VM, {by_host} per host)",
        "(가상 머신 단위 규칙 {by_vm}건, 호스트 단위 규칙 {by_host}건)",
    ),
    "summary_vms_excluded": ("{count} excluded", "제외 {count}대"),
    "summary_vms_baselined": ("{count} in the baseline", "기준선에 있음 {count}대"),
    "nothing_scanned": ("0 of {hosts} hosts scanned.", "호스트 {hosts}대 중 검사한 호스트가 없습니다."),
    "no_findings_partial": (
        "No findings on the {ok} of {hosts} hosts scanned.",
        "검사한 호스트 {ok}대(전체 {hosts}대)에서 발견 사항이 없습니다.",
    ),
    # VMs once each, then the verdicts (one per rule and VM) that the other counts add up to.
    "summary_vms": (
        "Virtual machines judged: {distinct}; their verdicts, one per rule: {judged} ({vm_noncompliant} with "
        "findings, {vm_undetermined} undetermined, {vm_compliant} compliant), and {vm_not_applicable} not applicable",
        "판정한 가상 머신: {distinct}대, 규칙별 판정 {judged}건(발견 {vm_noncompliant}건, 확인 불가 "
        "{vm_undetermined}건, 준수 {vm_compliant}건), 그 밖에 해당 없음 {vm_not_applicable}건",
    ),
    "no_findings": ("No findings.", "발견 사항이 없습니다."),
    "inferred": ("judged from its partner {partner}", "파트너 {partner}의 상태로 판단"),
    "inferred_primary": ("judged from its primary {partner}: {why}", "주 가상 머신 {partner}의 상태로 판단: {why}"),
    "inferred_replica": ("judged from its Replica {partner}: {why}", "복제본 {partner}의 상태로 판단: {why}"),
    "failover_not_applied": (
        "the configured failover address {addresses} will not be applied",
        "설정된 장애 조치 주소 {addresses}은(는) 적용되지 않습니다",
    ),
    "noncompliant": ("Non-compliant", "미준수"),
    "undetermined": ("Could not determine", "확인 불가"),
    "compliant": ("Compliant", "준수"),
    "not_applicable": ("Not applicable", "해당 없음"),
    "error": ("Error", "오류"),
    "warning": ("Warning", "경고"),
    "information": ("Information", "정보"),
    "excluded": ("Excluded", "제외됨"),
    # Rule categories, as BPA names them
    "category_configuration": ("Configuration", "구성"),
    "category_operation": ("Operation", "작업"),
    "category_prerequisites": ("Prerequisites", "필수 구성 요소"),
    "category_security": ("Security", "보안"),
    "category_performance": ("Performance", "성능"),
    # `hvbpa rules show` labels
    "show_severity": ("Severity", "심각도"),
    "show_category": ("Category", "범주"),
    "show_model": ("Model", "모델"),
    "show_applies_to": ("Applies to", "적용 대상"),
    "show_source": ("Decides as", "판정 기준"),
    "source_bpa": (
        "Microsoft's BPA, rule {rule} of its discovery script (Hyper-V.ps1)",
        "Microsoft BPA, 검색 스크립트(Hyper-V.ps1)의 규칙 {rule}",
    ),
    "source_hvbpa": ("hvbpa only (not a BPA rule)", "hvbpa 전용(BPA 규칙 아님)"),
    "show_help": ("Help", "도움말"),
    "show_check": ("Check", "검사 함수"),
    "show_issue": ("Issue", "문제"),
    "show_impact": ("Impact", "영향"),
    "show_resolution": ("Resolution", "해결 방법"),
    "after_attempts": (" (after {attempts} attempts)", " ({attempts}번 시도 후)"),
    # Host statuses as the table shows them; JSON and the other machine formats keep the codes.
    "hoststatus_ok": ("scanned", "검사함"),
    "hoststatus_unreachable": ("unreachable", "연결 불가"),
    "hoststatus_auth_failed": ("authentication failed", "인증 실패"),
    "hoststatus_tls_error": ("TLS error", "TLS 오류"),
    "hoststatus_winrm_fault": ("WinRM fault", "WinRM 오류"),
    "hoststatus_script_failed": ("script failed", "스크립트 실패"),
    "hoststatus_bad_output": ("bad output", "잘못된 출력"),
    "hoststatus_timed_out": ("timed out", "시간 초과"),
    "hoststatus_interrupted": ("interrupted", "중단됨"),
    "hoststatus_internal_error": ("hvbpa error", "hvbpa 오류"),
    # The stderr line of a run whose reports all went to files
    "status_see": ("hvbpa: {line}; see {path}", "hvbpa: {line}. {path} 참조"),
    "status_not_scanned": (
        "{failed} of {hosts} hosts not scanned ({named})",
        "호스트 {hosts}대 중 {failed}대 검사 못 함({named})",
    ),
    "status_more": ("; and {count} more", "; 그 밖에 {count}대"),
    "status_not_judged": (
        "{count} of {hosts} hosts scanned but not judged ({named})",
        "호스트 {hosts}대 중 {count}대는 검사했으나 판정 불가({named})",
    ),
    "status_findings": (
        "findings at or above {fail_on} on {vms} virtual machine(s), {hosts} host(s)",
        "{fail_on} 이상의 발견 사항: 가상 머신 {vms}대, 호스트 {hosts}대",
    ),
    # The CLI's own messages
    "cli_error": ("hvbpa: error: {message}", "hvbpa: 오류: {message}"),
    "cli_warning": ("hvbpa: warning: {message}", "hvbpa: 경고: {message}"),
    "cli_interrupted": ("interrupted", "중단되었습니다"),
    "cli_terminated": ("terminated (SIGTERM)", "종료되었습니다(SIGTERM)"),
    "cli_stopping": (
        "hvbpa: stopping: {count} hosts still running, up to {seconds}s",
        "hvbpa: 멈추는 중: 아직 실행 중인 호스트 {count}대, 최대 {seconds}초",
    ),
    "cli_stopping_one": (
        "hvbpa: stopping: 1 host still running, up to {seconds}s",
        "hvbpa: 멈추는 중: 아직 실행 중인 호스트 1대, 최대 {seconds}초",
    ),
    "cli_internal_error": (
        "hvbpa: internal error, please report it: {what} ({where})",
        "hvbpa: 내부 오류입니다. 알려 주십시오: {what} ({where})",
    ),
    "cli_rule_internal_error": (
        "hvbpa: internal error in rule {rule}, please report it: {what}; the rule is undetermined on every host, "
        "the other rules' results are in the report ({where})",
        "hvbpa: 규칙 {rule}에서 내부 오류가 발생했습니다. 알려 주십시오: {what}. 이 규칙은 모든 호스트에서 "
        "판단할 수 없음이며, 다른 규칙의 결과는 보고서에 있습니다({where})",
    ),
    "cli_traceback_in": (
        "full traceback in {path}; HVBPA_DEBUG=1 prints it",
        "전체 traceback: {path}, HVBPA_DEBUG=1이면 화면에 출력합니다",
    ),
    "cli_traceback_debug": ("set HVBPA_DEBUG=1 to see the traceback", "HVBPA_DEBUG=1로 traceback을 볼 수 있습니다"),
    "cli_traceback_above": ("traceback above", "traceback은 위에 있습니다"),
    "cli_interrupted_report": (
        "hvbpa: interrupted; the report above covers the hosts that finished",
        "hvbpa: 중단되었습니다. 위 보고서는 검사를 마친 호스트만 다룹니다",
    ),
    "cli_interrupted_report_files": (
        "hvbpa: interrupted; {files} cover the hosts that finished",
        "hvbpa: 중단되었습니다. {files}은(는) 검사를 마친 호스트만 다룹니다",
    ),
    "cli_terminated_report_files": (
        "hvbpa: terminated (SIGTERM); {files} cover the hosts that finished",
        "hvbpa: 종료되었습니다(SIGTERM). {files}은(는) 검사를 마친 호스트만 다룹니다",
    ),
    "cli_terminated_report": (
        "hvbpa: terminated (SIGTERM); the report above covers the hosts that finished",
        "hvbpa: 종료되었습니다(SIGTERM). 위 보고서는 검사를 마친 호스트만 다룹니다",
    ),
    "cli_tls_off": (
        "hvbpa: WARNING: TLS certificate validation is OFF (--insecure-skip-tls-verify): "
        "the hosts' identity is not checked.",
        "hvbpa: 경고: TLS 인증서 검증이 꺼져 있습니다(--insecure-skip-tls-verify). 호스트의 신원을 확인하지 않습니다.",
    ),
    "cli_ignored_vars": (
        "hvbpa: warning: not honoured, as hvbpa gets Kerberos tickets through GSSAPI and never delegates "
        "credentials: {names} (in {where})",
        "hvbpa: 경고: hvbpa는 GSSAPI로 Kerberos 티켓을 받고 자격 증명을 위임하지 않으므로 다음 변수는 "
        "적용하지 않습니다: {names} ({where})",
    ),
    "cli_tls_off_inventory": (
        "hvbpa: WARNING: TLS certificate validation is OFF for {hosts}, as the hosts file or inventory "
        "that lists them says (server_cert_validation=ignore; in an inventory, "
        "ansible_winrm_server_cert_validation=ignore): their identity is not checked.",
        "hvbpa: 경고: 호스트를 나열한 호스트 파일이나 인벤토리의 설정(server_cert_validation=ignore, 인벤토리에서는 "
        "ansible_winrm_server_cert_validation=ignore)에 따라 "
        "{hosts}의 TLS 인증서 검증이 꺼져 있습니다. 호스트의 신원을 확인하지 않습니다.",
    ),
    "cli_no_password": (
        "no password: set HVBPA_PASSWORD, store one with keyring, or run in a terminal to be asked",
        "암호가 없습니다. HVBPA_PASSWORD를 설정하거나 keyring에 저장하거나 터미널에서 실행해 입력하십시오",
    ),
    "cli_no_hosts": (
        "no hosts to scan: name hosts, --hosts-file or --inventory",
        "검사할 호스트가 없습니다. 호스트 이름, --hosts-file 또는 --inventory를 지정하십시오",
    ),
    "cli_limit_none": (
        "--limit {limit!r} matched none of the {count} inventory hosts",
        "--limit {limit!r}에 맞는 호스트가 인벤토리의 {count}대 중에 없습니다",
    ),
    "cli_password_unreadable": (
        "{where}, which hvbpa cannot read: set HVBPA_PASSWORD or store the password in the keyring "
        "(service hvbpa, key = user name)",
        "{where}: hvbpa가 읽을 수 없습니다. HVBPA_PASSWORD를 설정하거나 keyring에 암호를 저장하십시오"
        "(서비스 hvbpa, 키 = 사용자 이름)",
    ),
    "cli_host_failed": ("hvbpa: {host}: {status}: {reason}", "hvbpa: {host}: {status}: {reason}"),
    "cli_baseline_written": (
        "baseline: {count} finding(s) written to {path}",
        "기준선: 발견 사항 {count}건을 {path}에 기록했습니다",
    ),
    "demo_start": (
        "hvbpa demo: {count} lab hosts on 127.0.0.1, scanned over WinRM",
        "hvbpa demo: 127.0.0.1의 실습 호스트 {count}대를 WinRM으로 검사합니다",
    ),
    "demo_interrupted": (
        "hvbpa demo: interrupted; the lab is stopped.",
        "hvbpa demo: 중단되었습니다. 실습 호스트를 멈췄습니다.",
    ),
    "demo_not_as_designed": ("hvbpa demo: not as designed: {problem}", "hvbpa demo: 설계와 다릅니다: {problem}"),
    "demo_ok": (
        "hvbpa demo: ran as designed (a scan of real hosts would exit {code} here); the lab is stopped.",
        "hvbpa demo: 설계대로 실행되었습니다(실제 호스트였다면 종료 코드 {code}). 실습 호스트를 멈췄습니다.",
    ),
}


# Hyper-V's own words for replication modes, VM states and replication states (the display
# spelling of hvbpa.snapshot.enums), in Korean; English shows them as PowerShell does.
_HYPERV_KO: dict[str, str] = {
    "None": "복제 안 함",
    "Primary": "주 서버",
    "Replica": "복제본",
    "TestReplica": "테스트 복제본",
    "ExtendedReplica": "확장 복제본",
    "Other": "기타",
    "Running": "실행 중",
    "Off": "꺼짐",
    "Stopping": "중지하는 중",
    "Saved": "저장됨",
    "Paused": "일시 중지됨",
    "Starting": "시작하는 중",
    "Reset": "다시 설정",
    "Saving": "저장하는 중",
    "Pausing": "일시 중지하는 중",
    "Resuming": "다시 시작하는 중",
    "FastSaved": "빠른 저장됨",
    "FastSaving": "빠른 저장하는 중",
    "ForceShutdown": "강제 종료",
    "ForceReboot": "강제 다시 부팅",
    "Hibernated": "최대 절전",
    "ComponentServicing": "구성 요소 서비스 중",
    "Disabled": "사용 안 함",
    "ReadyForInitialReplication": "초기 복제 준비됨",
    "InitialReplicationInProgress": "초기 복제 진행 중",
    "WaitingForInitialReplication": "초기 복제 대기 중",
    "Replicating": "복제 중",
    "PreparedForFailover": "장애 조치 준비됨",
    "FailedOverWaitingCompletion": "장애 조치됨, 완료 대기 중",
    "FailedOver": "장애 조치됨",
    "Suspended": "일시 중단됨",
    "Error": "오류",
    "WaitingForStartResynchronize": "다시 동기화 시작 대기 중",
    "Resynchronizing": "다시 동기화 중",
    "ResynchronizeSuspended": "다시 동기화 일시 중단됨",
    "RecoveryInProgress": "복구 진행 중",
    "FailbackInProgress": "장애 복구 진행 중",
    "FailbackComplete": "장애 복구 완료",
    "WaitingForUpdateCompletion": "업데이트 완료 대기 중",
    "UpdateError": "업데이트 오류",
    "WaitingForRepurposeCompletion": "용도 변경 완료 대기 중",
    "PreparedForSyncReplication": "동기 복제 준비됨",
    "PreparedForGroupReverseReplication": "그룹 역방향 복제 준비됨",
    "FiredrillInProgress": "테스트 장애 조치 진행 중",
    # Integration service operational statuses (``Ok`` is how ``OK`` displays)
    "Ok": "정상",
    "Degraded": "저하됨",
    "NonRecoverableError": "복구할 수 없는 오류",
    "NoContact": "연결 없음",
    "LostCommunication": "통신 끊김",
    "ProtocolMismatch": "프로토콜 불일치",
    "ApplicationCritical": "응용 프로그램 위험",
    "CommunicationTimedOut": "통신 시간 초과",
    "CommunicationFailed": "통신 실패",
    "none": "상태 없음",
}

# What the collection script gathers, by section name (collect.ps1's errors[].section).
_SECTIONS_KO = {
    "vms": "가상 머신 목록",
    "replication": "복제",
    "integration_services": "통합 서비스",
    "kvp": "KVP 게스트 데이터",
    "network_adapters": "네트워크 어댑터",
    "failover": "장애 조치 IP 설정",
    "host": "호스트",
}


def hyperv_text(name: str, lang: str = "en") -> str:
    """A replication mode, VM state or replication state as the admin's language says it."""
    if lang != "ko":
        return name
    if name.endswith("Critical") and name != "Critical":
        base = name.removesuffix("Critical")
        return f"{_HYPERV_KO.get(base, base)}(위험)"
    return _HYPERV_KO.get(name, name)


class _Blank(dict[str, str]):
    """Format parameters where a missing one reads as nothing rather than raising."""

    def __missing__(self, key: str) -> str:
        return ""


def default_lang(environ: Mapping[str, str], display_language: Callable[[], str | None] | None = None) -> str:
    """From LC_ALL, then LC_MESSAGES, then LANG, as POSIX orders them; where none is set
    (Windows sets none), from the display language (``display_language``, by default
    Windows' own: :func:`hvbpa.console.console_language`)."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(var, "")
        if value:
            return "ko" if value.lower().startswith("ko") else "en"
    if display_language is None:
        from hvbpa.console import console_language

        display_language = console_language
    shown = display_language() or ""
    return "ko" if shown.lower().startswith("ko") else "en"


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "ko" else pair[0]


def text(key: str, lang: str = "en", **params: object) -> str:
    pair = _UI.get(key)
    return _pick(pair, lang).format(**params) if pair else key


def duration_text(seconds: int, lang: str = "en") -> str:
    """Uptime as an admin reads it: ``10 d 4 h``, ``2 h 5 min``, ``90 s``."""
    units = (("d", "일", 86400), ("h", "시간", 3600), ("min", "분", 60), ("s", "초", 1))
    parts = []
    for en, ko, size in units:
        amount, seconds = divmod(seconds, size)
        if amount:
            parts.append(f"{amount}{ko}" if lang == "ko" else f"{amount} {en}")
        if len(parts) == 2:
            break
    return " ".join(parts) or ("0초" if lang == "ko" else "0 s")


def stopping_text(running: int, grace: float, lang: str = "en") -> str:
    """The acknowledgement of a stop signal: how many hosts it waits for, and for how long at most."""
    seconds = math.ceil(grace)
    if running == 1:
        return text("cli_stopping_one", lang, seconds=seconds)
    return text("cli_stopping", lang, count=running, seconds=seconds)


def nest(code: str, inner: Reason | None, **params: object) -> Reason:
    """A reason that quotes another (why a host was not scanned), still translatable as a whole."""
    if inner is not None:
        params["why_code"] = inner.code
        params.update({f"why.{key}": value for key, value in inner.params})
    return Reason.of(code, **params)


def inner_reason(reason: Reason) -> Reason | None:
    params = dict(reason.params)
    if "why_code" not in params:
        return None
    return Reason.of(params["why_code"], **{k[4:]: v for k, v in params.items() if k.startswith("why.")})


def host_status_text(status: str, lang: str = "en") -> str:
    pair = _UI.get(f"hoststatus_{status}")
    return _pick(pair, lang) if pair else status


def register_reasons(texts: Mapping[str, tuple[str, str]]) -> str:
    """Add a rule file's reason texts; returns the first code already known with other words ("" if none).

    Several rules may share a code with the same words; loading the same rules again is harmless.
    """
    for code, pair in texts.items():
        known = _REASONS.get(code)
        if known is not None and known != pair:
            return code
    _REASONS.update(texts)
    return ""


def applies_to_text(value: str, lang: str = "en") -> str:
    """A rule file's ``applies_to`` ("Windows Server 2016 and later") in the report's language;
    a value this table does not know is shown as written."""
    match = re.fullmatch(r"(Windows Server [0-9]{4}(?: R2)?) and later", value.strip())
    if match and lang == "ko":
        return f"{match.group(1)} 이상"
    return value


def reason_text(reason: Reason, lang: str = "en") -> str:
    pair = _REASONS.get(reason.code)
    if pair is None:
        return reason.code
    params = dict(reason.params)
    inner = inner_reason(reason)
    if inner is not None:
        params["why"] = reason_text(inner, lang)
    if "state" in params:
        params["state"] = hyperv_text(params["state"], lang)
    if "status" in params and (reason.code.startswith("kvp-") or reason.code == "vss-not-ok"):
        params["status"] = hyperv_text(params["status"], lang)
    if "section" in params and lang == "ko":
        params["section"] = _SECTIONS_KO.get(params["section"], params["section"])
    if "status" in params and reason.code == "host-not-collected":
        params["status"] = host_status_text(params["status"], lang)
    for key in _DURATION_PARAMS:
        if params.get(key, "").isdigit():
            params[key] = duration_text(int(params[key]), lang)
    message = params.get("message", "")
    params["message_suffix"] = f": {message}" if message else ""
    sentence = _pick(pair, lang).format_map(_Blank(params))
    if params.get("attempts"):
        sentence += text("after_attempts", lang, attempts=params["attempts"])
    return sentence


# The Hyper-V Replica rule pack keeps its wording in its own module.
_REASONS.update(_replication.REASONS)
_REASONS.update(_kerberos.REASONS)
_UI.update(_replication.UI)
_SECTIONS_KO.update(_replication.SECTIONS_KO)
_DURATION_PARAMS = ("uptime", "grace", *_replication.DURATIONS)
