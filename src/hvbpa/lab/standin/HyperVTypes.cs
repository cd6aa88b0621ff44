// The Hyper-V module's enum types with Microsoft's names and values (see
// docs/hyperv-domain.md section 4), so that the collection script meets the same types
// off Windows as on a Hyper-V host. Compiled once per PowerShell process by Add-Type.
using System;

namespace Microsoft.HyperV.PowerShell
{
    public enum VMState
    {
        Other = 1, Running = 2, Off = 3, Stopping = 4, Saved = 6, Paused = 9, Starting = 10, Reset = 11,
        Saving = 32773, Pausing = 32776, Resuming = 32777, FastSaved = 32779, FastSaving = 32780,
        ForceShutdown = 32781, ForceReboot = 32782, Hibernated = 32783, ComponentServicing = 32784,
        RunningCritical = 32785, OffCritical = 32786, StoppingCritical = 32787, SavedCritical = 32788,
        PausedCritical = 32789, StartingCritical = 32790, ResetCritical = 32791, SavingCritical = 32792,
        PausingCritical = 32793, ResumingCritical = 32794, FastSavedCritical = 32795, FastSavingCritical = 32796
    }

    public enum VMReplicationMode { None = 0, Primary = 1, Replica = 2, TestReplica = 3, ExtendedReplica = 4 }

    public enum VMReplicationState
    {
        Disabled = 0, ReadyForInitialReplication = 1, InitialReplicationInProgress = 2,
        WaitingForInitialReplication = 3, Replicating = 4, PreparedForFailover = 5,
        FailedOverWaitingCompletion = 6, FailedOver = 7, Suspended = 8, Error = 9,
        WaitingForStartResynchronize = 10, Resynchronizing = 11, ResynchronizeSuspended = 12,
        RecoveryInProgress = 13, FailbackInProgress = 14, FailbackComplete = 15,
        WaitingForUpdateCompletion = 16, UpdateError = 17, WaitingForRepurposeCompletion = 18,
        PreparedForSyncReplication = 19, PreparedForGroupReverseReplication = 20, FiredrillInProgress = 21
    }

    public enum VMReplicationHealthState { NotApplicable = 0, Normal = 1, Warning = 2, Critical = 3 }

    public enum VMReplicationRelationshipType { Simple = 0, Extended = 1 }

    public enum VMHeartbeatStatus
    {
        Unknown = 0, Disabled = 1, NoContact = 2, Error = 3, LostCommunication = 4,
        OkApplicationsUnknown = 5, OkApplicationsHealthy = 6, OkApplicationsCritical = 7, Paused = 8
    }

    public enum VMIntegrationComponentOperationalStatus
    {
        Ok = 2, Degraded = 3, Error = 6, NonRecoverableError = 7, NoContact = 12, LostCommunication = 13,
        ProtocolMismatch = 32775, ApplicationCritical = 32782, CommunicationTimedOut = 32783,
        CommunicationFailed = 32784, Disabled = 32896
    }

    public enum VirtualMachineType { RealizedVirtualMachine = 3, PlannedVirtualMachine = 4 }

    // Hyper-V Replica (issue 14): the Replica server's and a relationship's authentication,
    // and checkpoint types (Recovery is a backup checkpoint; 6-8 are replica recovery points).
    public enum RecoveryAuthenticationType { Kerberos = 1, Certificate = 2, CertificateAndKerberos = 3 }

    public enum ReplicationAuthenticationType { Kerberos = 1, Certificate = 2 }

    public enum SnapshotType
    {
        Standard = 0, Recovery = 1, Planned = 2, Missing = 5, Replica = 6, AppConsistentReplica = 7, SyncedReplica = 8
    }

    // An integration service as Get-VMIntegrationService returns it. On a real host each
    // status getter re-queries WMI; here each read is counted, so a test can state the cost.
    public class VMIntegrationComponent
    {
        public static int StatusQueries;
        private readonly VMIntegrationComponentOperationalStatus[] status;

        public VMIntegrationComponent(Guid vmId, string vmName, string name, string id, bool enabled, int[] status)
        {
            VMId = vmId; VMName = vmName; Name = name; Id = id; Enabled = enabled;
            this.status = new VMIntegrationComponentOperationalStatus[status.Length];
            for (int i = 0; i < status.Length; i++) this.status[i] = (VMIntegrationComponentOperationalStatus)status[i];
        }

        public Guid VMId { get; private set; }
        public string VMName { get; private set; }
        public string Name { get; private set; }
        public string Id { get; private set; }
        public bool Enabled { get; private set; }

        public VMIntegrationComponentOperationalStatus[] OperationalStatus
        {
            get { StatusQueries++; return status; }
        }

        public VMIntegrationComponentOperationalStatus? PrimaryOperationalStatus
        {
            get { StatusQueries++; return status.Length > 0 ? status[0] : (VMIntegrationComponentOperationalStatus?)null; }
        }

        public VMIntegrationComponentOperationalStatus? SecondaryOperationalStatus
        {
            get { StatusQueries++; return status.Length > 1 ? status[1] : (VMIntegrationComponentOperationalStatus?)null; }
        }
    }
}
