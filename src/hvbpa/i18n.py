"""English and Korean text for reasons, statuses and report headings.

Verdicts carry reason *codes*; text is chosen only when a report is written, so a
JSON report and a Korean table come from the same results.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass


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
    "kvp-reports-version": (
        "the guest reports integration services {version}",
        "게스트가 Integration Services {version} 버전을 보고합니다",
    ),
    "kvp-service-ok": (
        "the Data Exchange service answers ({status})",
        "데이터 교환 서비스가 응답합니다({status})",
    ),
    "kvp-incompatible": (
        "the guest's integration components are incompatible ({status}) and cannot apply an address",
        "게스트의 통합 구성 요소가 호환되지 않아({status}) 주소를 적용할 수 없습니다",
    ),
    "kvp-no-contact": (
        "running for {uptime} and the Data Exchange service has never made contact: integration services are not "
        "installed",
        "{uptime} 동안 실행 중이지만 데이터 교환 서비스가 한 번도 연결되지 않았습니다. "
        "Integration Services가 설치되어 있지 않습니다",
    ),
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
    "kvp-lost-communication": (
        "the Data Exchange service lost communication with the guest",
        "데이터 교환 서비스와 게스트의 통신이 끊겼습니다",
    ),
    "kvp-ok-no-guest-data": (
        "the Data Exchange service is OK but the guest publishes no data (on Linux, is hv_kvp_daemon running?)",
        "데이터 교환 서비스는 정상이지만 게스트가 데이터를 보내지 않습니다(Linux라면 hv_kvp_daemon이 실행 중인지 확인)",
    ),
    "kvp-service-missing": (
        "the host lists no Data Exchange integration service for this VM",
        "호스트에 이 가상 머신의 데이터 교환 통합 서비스가 없습니다",
    ),
    "kvp-status-unclear": (
        "the Data Exchange service reports {status}",
        "데이터 교환 서비스 상태가 {status}입니다",
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
    "summary": (
        "{hosts} host(s), {ok} scanned, {failed} failed; results by rule and host: {noncompliant} with findings, "
        "{undetermined} undetermined, {compliant} compliant, {excluded} excluded",
        "호스트 {hosts}대 중 {ok}대 검사, {failed}대 실패; 규칙·호스트별 결과: 발견 {noncompliant}건, "
        "확인 불가 {undetermined}건, 준수 {compliant}건, 제외 {excluded}건",
    ),
    "summary_vms": (
        "Virtual machines judged: {judged} ({vm_noncompliant} with findings, {vm_undetermined} undetermined, "
        "{vm_compliant} compliant)",
        "판정한 가상 머신: {judged}대(발견 {vm_noncompliant}대, 확인 불가 {vm_undetermined}대, 준수 {vm_compliant}대)",
    ),
    "no_findings": ("No findings.", "발견 사항이 없습니다."),
    "inferred": ("judged from its partner {partner}", "파트너 {partner}의 상태로 판단"),
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
    # The CLI's own messages
    "cli_error": ("hvbpa: error: {message}", "hvbpa: 오류: {message}"),
    "cli_interrupted": ("interrupted", "중단되었습니다"),
    "cli_terminated": ("terminated (SIGTERM)", "종료되었습니다(SIGTERM)"),
    "cli_internal_error": (
        "hvbpa: internal error, please report it: {what} ({where})",
        "hvbpa: 내부 오류입니다. 알려 주십시오: {what} ({where})",
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
    "cli_terminated_report": (
        "hvbpa: terminated (SIGTERM); the report above covers the hosts that finished",
        "hvbpa: 종료되었습니다(SIGTERM). 위 보고서는 검사를 마친 호스트만 다룹니다",
    ),
    "cli_tls_off": (
        "hvbpa: WARNING: TLS certificate validation is OFF (--insecure-skip-tls-verify): "
        "the hosts' identity is not checked.",
        "hvbpa: 경고: TLS 인증서 검증이 꺼져 있습니다(--insecure-skip-tls-verify). 호스트의 신원을 확인하지 않습니다.",
    ),
    "cli_tls_off_inventory": (
        "hvbpa: WARNING: TLS certificate validation is OFF for {hosts} "
        "(ansible_winrm_server_cert_validation=ignore in the inventory): their identity is not checked.",
        "hvbpa: 경고: {hosts}의 TLS 인증서 검증이 꺼져 있습니다(인벤토리의 "
        "ansible_winrm_server_cert_validation=ignore). 호스트의 신원을 확인하지 않습니다.",
    ),
    "cli_no_password": (
        "no password: set HVBPA_PASSWORD, store one with keyring, or run in a terminal to be asked",
        "암호가 없습니다. HVBPA_PASSWORD를 설정하거나 keyring에 저장하거나 터미널에서 실행해 입력하십시오",
    ),
    "cli_no_hosts": (
        "no hosts to scan: name hosts, --hosts-file or --inventory",
        "검사할 호스트가 없습니다. 호스트 이름, --hosts-file 또는 --inventory를 지정하십시오",
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


class _Blank(dict[str, str]):
    """Format parameters where a missing one reads as nothing rather than raising."""

    def __missing__(self, key: str) -> str:
        return ""


def default_lang(environ: Mapping[str, str]) -> str:
    """From LC_ALL, then LC_MESSAGES, then LANG, as POSIX orders them."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(var, "")
        if value:
            return "ko" if value.lower().startswith("ko") else "en"
    return "en"


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


def reason_text(reason: Reason, lang: str = "en") -> str:
    pair = _REASONS.get(reason.code)
    if pair is None:
        return reason.code
    params = dict(reason.params)
    for key in ("uptime", "grace"):
        if params.get(key, "").isdigit():
            params[key] = duration_text(int(params[key]), lang)
    message = params.get("message", "")
    params["message_suffix"] = f": {message}" if message else ""
    return _pick(pair, lang).format_map(_Blank(params))
