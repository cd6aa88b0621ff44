"""English and Korean text for the Hyper-V Replica rules' reasons (HVR002-HVR011, HVX001-HVX002).

Kept apart from :mod:`hvbpa.i18n`, which merges these in, so the replication pack's
wording lives in one place. Parameters in braces come from the verdict's reason.
"""

from __future__ import annotations

REASONS: dict[str, tuple[str, str]] = {
    # --- shared ---------------------------------------------------------------------------
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
    # --- HVR002 / HVR008 -------------------------------------------------------------------
    "replica-accepts-none": (
        "the Replica server is enabled but accepts replication from no server: 'any authenticated server' is off "
        "and there are no authorization entries",
        "복제본 서버가 켜져 있지만 어떤 서버의 복제도 받지 않습니다. '인증된 모든 서버 허용'이 꺼져 있고 "
        "권한 부여 항목이 없습니다",
    ),
    "replica-accepts-none-named": (
        "no primary server is authorized at all (see HVR002), so none is authorized too broadly",
        "권한이 부여된 주 서버가 하나도 없으므로(HVR002 참고) 지나치게 넓게 허용된 서버도 없습니다",
    ),
    "replica-accepts-any": (
        "the Replica server accepts replication from any authenticated server and stores it in one location",
        "복제본 서버가 인증된 모든 서버의 복제를 받아 한 위치에 저장합니다",
    ),
    "replica-authorized-servers": (
        "replication is accepted from {count} authorized primary server entr(ies): {servers}",
        "권한이 부여된 주 서버 항목 {count}개에서만 복제를 받습니다: {servers}",
    ),
    # --- HVR003 ----------------------------------------------------------------------------
    "not-a-cluster-node": (
        "this host is not a failover cluster node",
        "이 호스트는 장애 조치 클러스터 노드가 아닙니다",
    ),
    "no-replicated-vms": (
        "no replicated virtual machines run on this node",
        "이 노드에서 실행 중인 복제 가상 머신이 없습니다",
    ),
    "broker-missing": (
        "cluster {cluster} has no resource of type 'Virtual Machine Replication Broker'",
        "클러스터 {cluster}에 'Virtual Machine Replication Broker' 형식의 리소스가 없습니다",
    ),
    "broker-present": (
        "the cluster has a Hyper-V Replica Broker resource, {name} ({state})",
        "클러스터에 Hyper-V 복제본 브로커 리소스 {name}({state})이(가) 있습니다",
    ),
    # --- HVR004 / HVX002 -------------------------------------------------------------------
    "certificate-auth-not-allowed": (
        "the Replica server accepts Kerberos authentication only",
        "복제본 서버가 Kerberos 인증만 허용합니다",
    ),
    "certificate-not-configured": (
        "no certificate thumbprint is configured for the Replica server",
        "복제본 서버에 인증서 지문이 구성되어 있지 않습니다",
    ),
    "certificate-not-installed": (
        "certificate {thumbprint} is not in this computer's personal store (LocalMachine\\My)",
        "인증서 {thumbprint}이(가) 이 컴퓨터의 개인 저장소(LocalMachine\\My)에 없습니다",
    ),
    "certificate-expired": (
        "certificate {thumbprint} ({subject}) expired on {date}",
        "인증서 {thumbprint}({subject})이(가) {date}에 만료되었습니다",
    ),
    "certificate-no-private-key": (
        "certificate {thumbprint} ({subject}) is installed without its private key",
        "인증서 {thumbprint}({subject})이(가) 개인 키 없이 설치되어 있습니다",
    ),
    "certificate-ok": (
        "certificate {thumbprint} ({subject}) is installed with its private key and valid until {date}",
        "인증서 {thumbprint}({subject})이(가) 개인 키와 함께 설치되어 있고 {date}까지 유효합니다",
    ),
    "certificate-expires-soon": (
        "certificate {thumbprint} ({subject}) expires on {date}, in {days} day(s)",
        "인증서 {thumbprint}({subject})이(가) {date}에, {days}일 후 만료됩니다",
    ),
    "certificate-expired-ago": (
        "certificate {thumbprint} ({subject}) expired on {date}, {days} day(s) ago",
        "인증서 {thumbprint}({subject})이(가) {date}에, {days}일 전에 만료되었습니다",
    ),
    "certificate-valid": (
        "certificate {thumbprint} ({subject}) is valid until {date} ({days} days)",
        "인증서 {thumbprint}({subject})은(는) {date}까지 유효합니다({days}일)",
    ),
    # --- HVR005 ----------------------------------------------------------------------------
    "app-consistent-off": (
        "application-consistent recovery points are not configured",
        "애플리케이션 일관성 복구 지점이 구성되어 있지 않습니다",
    ),
    "vss-service-missing": (
        "the host lists no Backup (volume shadow copy) integration service for this VM",
        "호스트가 이 가상 머신의 백업(볼륨 섀도 복사본) 통합 서비스를 표시하지 않습니다",
    ),
    "vss-disabled": (
        "application-consistent recovery points every {hours} h are configured, but the Backup (volume shadow "
        "copy) integration service is turned off",
        "{hours}시간마다 애플리케이션 일관성 복구 지점을 만들도록 구성되어 있지만 백업(볼륨 섀도 복사본) 통합 서비스가 "
        "꺼져 있습니다",
    ),
    "vss-not-ok": (
        "application-consistent recovery points every {hours} h are configured, but the guest's Backup "
        "integration service reports {status}",
        "{hours}시간마다 애플리케이션 일관성 복구 지점을 만들도록 구성되어 있지만 게스트의 백업 통합 서비스 상태가 "
        "{status}입니다",
    ),
    "vss-ok": (
        "the guest's Backup (volume shadow copy) integration service is OK",
        "게스트의 백업(볼륨 섀도 복사본) 통합 서비스가 정상입니다",
    ),
    "vss-status-unknown": (
        "the Backup integration service reports no status",
        "백업 통합 서비스가 상태를 보고하지 않습니다",
    ),
    # --- HVR006 ----------------------------------------------------------------------------
    "replication-suspended": (
        "replication is paused (Suspended): changes pile up on the primary until it is resumed",
        "복제가 일시 중지되었습니다. 다시 시작할 때까지 변경 내용이 주 서버에 쌓입니다",
    ),
    "replication-not-paused": ("replication state is {state}", "복제 상태가 {state}입니다"),
    # --- HVR007 / HVR009 -------------------------------------------------------------------
    "compression-off": (
        "replication traffic to {server} is sent uncompressed",
        "{server}(으)로 가는 복제 트래픽이 압축되지 않은 채 전송됩니다",
    ),
    "compression-on": ("replication traffic to {server} is compressed", "{server}(으)로 가는 복제 트래픽이 압축됩니다"),
    "kerberos-auth": (
        "replication to {server} uses Kerberos authentication over HTTP: the traffic is not encrypted",
        "{server}(으)로의 복제가 HTTP를 통한 Kerberos 인증을 사용합니다. 트래픽이 암호화되지 않습니다",
    ),
    "certificate-auth": (
        "replication to {server} uses certificate-based authentication (HTTPS)",
        "{server}(으)로의 복제가 인증서 기반 인증(HTTPS)을 사용합니다",
    ),
    # --- HVR010 ----------------------------------------------------------------------------
    "auto-resync-off": (
        "automatic resynchronization is off: a VM that needs it waits for an administrator",
        "자동 다시 동기화가 꺼져 있어, 다시 동기화가 필요한 가상 머신이 관리자를 기다립니다",
    ),
    "resync-window-overlaps": (
        "the resynchronization window {start}-{end} overlaps business hours {business}",
        "다시 동기화 시간대 {start}-{end}이(가) 업무 시간 {business}과(와) 겹칩니다",
    ),
    "resync-window-off-peak": (
        "the resynchronization window {start}-{end} is outside business hours {business}",
        "다시 동기화 시간대 {start}-{end}은(는) 업무 시간 {business} 밖에 있습니다",
    ),
    # --- HVR011 ----------------------------------------------------------------------------
    "recovery-checkpoints-left": (
        "failed over, and {count} replica recovery checkpoint(s) remain: {names}",
        "장애 조치되었고 복제본 복구 검사점 {count}개가 남아 있습니다: {names}",
    ),
    "no-recovery-checkpoints": (
        "failed over, and no replica recovery checkpoints remain",
        "장애 조치되었고 남은 복제본 복구 검사점이 없습니다",
    ),
    # --- HVX001 ----------------------------------------------------------------------------
    "initial-replication": (
        "initial replication has not completed yet",
        "초기 복제가 아직 끝나지 않았습니다",
    ),
    "no-last-replication": (
        "the host reports no successful replication yet",
        "호스트가 아직 성공한 복제를 보고하지 않습니다",
    ),
    "replication-behind": (
        "the last replication to {server} was at {when}, {age} before collection: more than {limit} for a "
        "{frequency} frequency",
        "{server}(으)로의 마지막 복제가 {when}, 수집 {age} 전입니다. 복제 빈도 {frequency}에 허용되는 {limit}보다 "
        "깁니다",
    ),
    "replication-current": (
        "the last replication to {server} was {age} before collection (limit {limit})",
        "{server}(으)로의 마지막 복제가 수집 {age} 전입니다(한도 {limit})",
    ),
}

# Parameters that hold seconds and read better as durations.
DURATIONS = ("age", "limit", "frequency", "length")

UI: dict[str, tuple[str, str]] = {
    "host_itself": ("(the host)", "(호스트 자체)"),
    "vm_group": ("{count} VMs ({names}, ...)", "가상 머신 {count}대({names} 등)"),
    "show_judged_per": ("Judged per", "판정 단위"),
    "summary_host_verdicts": (
        "Verdicts on hosts (rules judged per host): {noncompliant} with findings, {undetermined} undetermined, "
        "{compliant} compliant",
        "호스트 단위 규칙의 판정: 발견 {noncompliant}건, 확인 불가 {undetermined}건, 준수 {compliant}건",
    ),
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
