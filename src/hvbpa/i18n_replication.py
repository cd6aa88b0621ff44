"""English and Korean text for the reasons several Hyper-V Replica rules share.

A reason that one rule gives lives in that rule's file (``[reasons.CODE]``); the ones
here are given by several rules' checks, so they have one home. :mod:`hvbpa.i18n` merges
them in. Parameters in braces come from the verdict's reason.
"""

from __future__ import annotations

REASONS: dict[str, tuple[str, str]] = {
    "section-not-collected": (
        "the host reported no {section} data (its collector or Hyper-V version predates it)",
        "호스트가 {section} 정보를 보고하지 않았습니다(수집기나 Hyper-V 버전이 이를 지원하기 전입니다)",
    ),
    "setting-not-reported": (
        "the host did not report {setting} (older Hyper-V or collector)",
        "호스트가 {setting} 값을 보고하지 않았습니다(이전 Hyper-V 또는 수집기)",
    ),
    "replica-server-disabled": (
        "this host is not configured as a Replica server",
        "이 호스트는 복제본 서버로 구성되어 있지 않습니다",
    ),
    "not-sending": (
        "this copy only receives replication; its sender's settings are judged on the sending host",
        "이 사본은 복제를 받기만 합니다. 설정은 보내는 쪽 호스트에서 판정합니다",
    ),
    # HVR002 and HVR008
    "replica-accepts-any": (
        "the Replica server accepts replication from any authenticated server and stores it in one location",
        "복제본 서버가 인증된 모든 서버의 복제를 받아 한 위치에 저장합니다",
    ),
    "replica-authorized-servers": (
        "replication is accepted from {count} authorized primary server entr(ies): {servers}",
        "권한이 부여된 주 서버 항목 {count}개에서만 복제를 받습니다: {servers}",
    ),
    # HVR004, HVX002 and HVX006
    "certificate-not-configured": (
        "no certificate thumbprint is configured for the Replica server",
        "복제본 서버에 인증서 지문이 구성되어 있지 않습니다",
    ),
    "certificate-not-installed": (
        "certificate {thumbprint} is not in this computer's personal store (LocalMachine\\My)",
        "인증서 {thumbprint}이(가) 이 컴퓨터의 개인 저장소(LocalMachine\\My)에 없습니다",
    ),
}

# Parameters that hold seconds and read better as durations.
DURATIONS = ("age", "limit", "frequency", "length")

UI: dict[str, tuple[str, str]] = {
    "host_itself": ("(the host)", "(호스트 자체)"),
    "vm_group": ("{count} VMs ({names}, ...)", "가상 머신 {count}대({names} 등)"),
    "show_judged_per": ("Judged per", "판정 단위"),
    "summary_host_verdicts": (
        "Verdicts on the hosts judged, one per rule judged per host: {total} ({noncompliant} with findings, "
        "{undetermined} undetermined, {compliant} compliant, {not_applicable} not applicable{accepted})",
        "호스트 단위 규칙의 판정: 판정한 호스트마다 규칙당 하나씩 {total}건(발견 {noncompliant}건, 확인 불가 "
        "{undetermined}건, 준수 {compliant}건, 해당 없음 {not_applicable}건{accepted})",
    ),
    "summary_host_verdicts_accepted": (", {count} excluded or in the baseline", ", 제외 또는 기준선에 있음 {count}건"),
    "judged_per_vm": ("virtual machine", "가상 머신"),
    "judged_per_host": ("host", "호스트"),
}

# Korean names of the snapshot sections the replication rules read (for collection errors).
SECTIONS_KO: dict[str, str] = {
    "replication_server": "복제본 서버 설정",
    "authorization_entries": "복제 권한 부여 항목",
    "certificate": "복제 인증서",
    "cluster_resources": "클러스터 리소스",
    "checkpoints": "검사점",
    "vss": "VSS 통합 서비스 상태",
}
