"""Why a Kerberos logon failed, in English and Korean: one sentence each, with what to do.

Chosen from Kerberos error numbers in hvbpa.collect.kerberos, never from library text.
"""

from __future__ import annotations

REASONS: dict[str, tuple[str, str]] = {
    "host-kerberos-no-ticket": (
        "no Kerberos ticket: run kinit (or log on to the domain), or give a user (user@REALM) and "
        "HVBPA_PASSWORD so hvbpa gets its own",
        "Kerberos 티켓이 없습니다. kinit을 실행하거나(또는 도메인에 로그온하거나), 사용자(user@REALM)와 "
        "HVBPA_PASSWORD를 주어 hvbpa가 직접 티켓을 받게 하십시오",
    ),
    "host-kerberos-no-ticket-for": (
        "no Kerberos ticket for {principal} in the ticket cache: run kinit {principal}, or give its password "
        "in HVBPA_PASSWORD",
        "티켓 캐시에 {principal}의 Kerberos 티켓이 없습니다. kinit {principal}을(를) 실행하거나 "
        "HVBPA_PASSWORD에 암호를 주십시오",
    ),
    "host-kerberos-expired": (
        "the Kerberos ticket has expired: run kinit again (or give the password, and hvbpa gets its own)",
        "Kerberos 티켓이 만료되었습니다. kinit을 다시 실행하십시오(또는 암호를 주면 hvbpa가 직접 받습니다)",
    ),
    "host-kerberos-skew": (
        "this machine's clock and the domain's differ by more than Kerberos allows (5 minutes unless the realm "
        "says otherwise): correct the time (w32tm /resync, chrony or ntpdate)",
        "이 컴퓨터와 도메인의 시계 차이가 Kerberos 허용 범위(영역 설정이 없으면 5분)를 넘습니다. "
        "시간을 맞추십시오(w32tm /resync, chrony 또는 ntpdate)",
    ),
    "host-kerberos-kdc": (
        "no Kerberos domain controller (KDC) answers for realm {realm}: check the network, and the realm's kdc "
        "in krb5.conf (or DNS SRV records)",
        "{realm} 영역의 Kerberos 도메인 컨트롤러(KDC)가 응답하지 않습니다. 네트워크와 krb5.conf의 kdc "
        "설정(또는 DNS SRV 레코드)을 확인하십시오",
    ),
    "host-kerberos-realm": (
        "no KDC is known for realm {realm}: the user's realm does not match the domain's (write user@REALM "
        "with the domain's realm, in capitals) or krb5.conf lacks it",
        "{realm} 영역의 KDC를 알 수 없습니다. 사용자의 영역이 도메인과 맞지 않거나(도메인 영역을 대문자로 "
        "user@REALM처럼 쓰십시오) krb5.conf에 없습니다",
    ),
    "host-kerberos-no-spn": (
        "the domain has no service principal {spn}: scan the host by the name it has in the domain (its FQDN), "
        "or register the SPN",
        "도메인에 서비스 주체 {spn}이(가) 없습니다. 도메인에 등록된 이름(FQDN)으로 호스트를 검사하거나 "
        "SPN을 등록하십시오",
    ),
    "host-kerberos-ip": (
        "Kerberos needs the host's name, not an IP address ({address}): the ticket is for HTTP/<name>; scan it "
        "by its DNS name, or use --transport ntlm",
        "Kerberos는 IP 주소({address})가 아니라 호스트 이름이 필요합니다. 티켓은 HTTP/<이름>용입니다. "
        "DNS 이름으로 검사하거나 --transport ntlm을 쓰십시오",
    ),
    "host-kerberos-password": (
        "the domain refused the password of {principal} (Kerberos pre-authentication failed)",
        "도메인이 {principal}의 암호를 거부했습니다(Kerberos 사전 인증 실패)",
    ),
    "host-kerberos-unknown-user": (
        "the domain does not know the user {principal}",
        "도메인에 {principal} 사용자가 없습니다",
    ),
    "host-kerberos-revoked": (
        "the account {principal} is disabled or locked out",
        "{principal} 계정이 사용 중지되었거나 잠겼습니다",
    ),
    "host-kerberos-password-expired": (
        "the password of {principal} has expired: change it, then scan again",
        "{principal}의 암호가 만료되었습니다. 암호를 바꾼 뒤 다시 검사하십시오",
    ),
    "host-kerberos-refused": (
        "the host refused the Kerberos ticket for {spn} (HTTP 401): the name may belong to another machine, "
        "or the host's clock differs from the domain's by more than 5 minutes",
        "호스트가 {spn}의 Kerberos 티켓을 거부했습니다(HTTP 401). 이름이 다른 컴퓨터의 것이거나, 호스트 "
        "시계가 도메인과 5분 넘게 다를 수 있습니다",
    ),
    "host-kerberos-failed": (
        "Kerberos failed (error {error})",
        "Kerberos 인증에 실패했습니다(오류 {error})",
    ),
}
