"""Hyper-V enumerations as PowerShell's ConvertTo-Json writes them.

Values are the Microsoft.HyperV.PowerShell enum numbers (not the WMI ones, which
differ for some types). Hosts write integers; names appear in hand-made or
PowerShell 7 ``-EnumsAsStrings`` output, so both are accepted.
"""

from __future__ import annotations

import functools
from enum import IntEnum
from typing import TypeVar


class VMState(IntEnum):
    OTHER = 1
    RUNNING = 2
    OFF = 3
    STOPPING = 4
    SAVED = 6
    PAUSED = 9
    STARTING = 10
    RESET = 11
    SAVING = 32773
    PAUSING = 32776
    RESUMING = 32777
    FAST_SAVED = 32779
    FAST_SAVING = 32780
    FORCE_SHUTDOWN = 32781
    FORCE_REBOOT = 32782
    HIBERNATED = 32783
    COMPONENT_SERVICING = 32784
    RUNNING_CRITICAL = 32785
    OFF_CRITICAL = 32786
    STOPPING_CRITICAL = 32787
    SAVED_CRITICAL = 32788
    PAUSED_CRITICAL = 32789
    STARTING_CRITICAL = 32790
    RESET_CRITICAL = 32791
    SAVING_CRITICAL = 32792
    PAUSING_CRITICAL = 32793
    RESUMING_CRITICAL = 32794
    FAST_SAVED_CRITICAL = 32795
    FAST_SAVING_CRITICAL = 32796


class ReplicationMode(IntEnum):
    NONE = 0
    PRIMARY = 1
    REPLICA = 2
    TEST_REPLICA = 3
    EXTENDED_REPLICA = 4


class ReplicationState(IntEnum):
    DISABLED = 0
    READY_FOR_INITIAL_REPLICATION = 1
    INITIAL_REPLICATION_IN_PROGRESS = 2
    WAITING_FOR_INITIAL_REPLICATION = 3
    REPLICATING = 4
    PREPARED_FOR_FAILOVER = 5
    FAILED_OVER_WAITING_COMPLETION = 6
    FAILED_OVER = 7
    SUSPENDED = 8
    ERROR = 9
    WAITING_FOR_START_RESYNCHRONIZE = 10
    RESYNCHRONIZING = 11
    RESYNCHRONIZE_SUSPENDED = 12
    RECOVERY_IN_PROGRESS = 13
    FAILBACK_IN_PROGRESS = 14
    FAILBACK_COMPLETE = 15
    WAITING_FOR_UPDATE_COMPLETION = 16
    UPDATE_ERROR = 17
    WAITING_FOR_REPURPOSE_COMPLETION = 18
    PREPARED_FOR_SYNC_REPLICATION = 19
    PREPARED_FOR_GROUP_REVERSE_REPLICATION = 20
    FIREDRILL_IN_PROGRESS = 21


class ReplicationHealth(IntEnum):
    NOT_APPLICABLE = 0
    NORMAL = 1
    WARNING = 2
    CRITICAL = 3


class HeartbeatStatus(IntEnum):
    UNKNOWN = 0
    DISABLED = 1
    NO_CONTACT = 2
    ERROR = 3
    LOST_COMMUNICATION = 4
    OK_APPLICATIONS_UNKNOWN = 5
    OK_APPLICATIONS_HEALTHY = 6
    OK_APPLICATIONS_CRITICAL = 7
    PAUSED = 8


class VMType(IntEnum):
    REALIZED = 3
    PLANNED = 4
    # Aliases: the Hyper-V module's own names (Microsoft.HyperV.PowerShell.VirtualMachineType,
    # in the module's type stubs), which ConvertTo-Json -EnumsAsStrings and saved objects write.
    REALIZED_VIRTUAL_MACHINE = 3
    PLANNED_VIRTUAL_MACHINE = 4


class OperationalStatus(IntEnum):
    """Integration service PrimaryOperationalStatus (VMIntegrationComponentOperationalStatus)."""

    OK = 2
    DEGRADED = 3
    ERROR = 6
    NON_RECOVERABLE_ERROR = 7
    NO_CONTACT = 12
    LOST_COMMUNICATION = 13
    PROTOCOL_MISMATCH = 32775
    APPLICATION_CRITICAL = 32782
    COMMUNICATION_TIMED_OUT = 32783
    COMMUNICATION_FAILED = 32784
    DISABLED = 32896


class RelationshipType(IntEnum):
    SIMPLE = 0
    EXTENDED = 1


class AuthenticationType(IntEnum):
    """A relationship's ReplicationAuthenticationType (Get-VMReplication's AuthenticationType)."""

    KERBEROS = 1
    CERTIFICATE = 2


class AllowedAuthentication(IntEnum):
    """A Replica server's RecoveryAuthenticationType (Get-VMReplicationServer's AllowedAuthenticationType)."""

    KERBEROS = 1
    CERTIFICATE = 2
    CERTIFICATE_AND_KERBEROS = 3


class SnapshotType(IntEnum):
    """Get-VMSnapshot's SnapshotType. Recovery (1) is a backup checkpoint; 6-8 are replica recovery points."""

    STANDARD = 0
    RECOVERY = 1
    PLANNED = 2
    MISSING = 5
    REPLICA = 6
    APP_CONSISTENT_REPLICA = 7
    SYNCED_REPLICA = 8


E = TypeVar("E", bound=IntEnum)


def name_key(name: str) -> str:
    """A member name as parse_enum compares it (the schema's pattern is built from the same key)."""
    return "".join(ch for ch in name.lower() if ch.isalnum())


def parse_enum(cls: type[E], value: object) -> E:
    """An enum member from an integer or a name in any case/spelling (``FastSaved``, ``FAST_SAVED``).

    Raises ValueError with a message that names the accepted forms.
    """
    if isinstance(value, bool):
        raise ValueError(f"expected a {cls.__name__} number or name, got {value!r}")
    if isinstance(value, int):
        # The member map lookup is the common path (hosts write integers) and much cheaper than cls(value).
        member = cls._value2member_map_.get(value)
        if member is None:
            raise ValueError(f"{value} is not a known {cls.__name__} value")
        return member  # type: ignore[return-value]
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("-").isdigit():
            return parse_enum(cls, int(text))
        wanted = name_key(text)
        for name, member in cls.__members__.items():  # aliases too: a name the module writes
            if name_key(name) == wanted:
                return member
        raise ValueError(f"{value!r} is not a known {cls.__name__} name")
    raise ValueError(f"expected a {cls.__name__} number or name, got {type(value).__name__}")


def display(member: IntEnum) -> str:
    """``FAST_SAVED`` -> ``FastSaved``, the spelling Hyper-V admins see in PowerShell."""
    # Keyed by class and name: members of different IntEnums with the same value
    # (VMState.RUNNING and ReplicationMode.REPLICA are both 2) are equal and hash alike.
    return _display(type(member).__name__, member.name)


@functools.cache
def _display(enum: str, name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


# Integration services are identified by the GUID at the end of their Id, because
# their display names are localized.
KVP_GUID = "2a34b1c2-fd73-4043-8a5b-dd2159bc743f"
HEARTBEAT_GUID = "84eaae65-2f2e-45f5-9bb5-0e857dc8eb47"
SHUTDOWN_GUID = "9f8233ac-be49-4c79-8ee3-e7e1985b2077"
TIME_SYNC_GUID = "2497f4de-e9fa-4204-80e4-4b75c46419c0"
VSS_GUID = "5ced1297-4598-4915-a5fc-ad21bb4d02a4"
GUEST_SERVICE_GUID = "6c09bb55-d683-4da0-8931-c9bf705f6480"
