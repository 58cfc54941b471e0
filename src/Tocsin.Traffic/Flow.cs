using Tocsin.Decode;

namespace Tocsin.Traffic;

/// <summary>Counters of one direction of a flow.</summary>
public struct DirectionStats
{
    public long Packets;

    /// <summary>Bytes on the wire (whole frames, as ntopng and ndpiReader count them).</summary>
    public long Bytes;

    /// <summary>L4 payload bytes.</summary>
    public long GoodputBytes;

    /// <summary>Every TCP flag seen in this direction, ORed.</summary>
    public byte TcpFlags;

    public int Retransmissions;
    public int OutOfOrder;
    public bool ZeroWindowSeen;

    internal uint NextSeq;
    internal bool SeqKnown;
}

[Flags]
public enum TcpState : byte
{
    None = 0,
    SynFromClient = 1,
    SynAckFromServer = 2,

    /// <summary>The client acknowledged the SYN-ACK: the three-way handshake is complete.</summary>
    Established = 4,
    FinFromClient = 8,
    FinFromServer = 16,
    ResetFromClient = 32,
    ResetFromServer = 64,
}

/// <summary>
/// A bidirectional conversation, oriented client → server: the SYN sender, or the SYN-ACK receiver; without
/// either, the end on the more server-like port (well-known, then registered) is the server, else the first
/// sender is the client.
/// </summary>
public sealed class Flow
{
    internal Flow? LruPrev;
    internal Flow? LruNext;
    internal FlowList? List;
    internal int HashCode;

    public FlowKey Key { get; internal set; }

    /// <summary>Whether the client is the key's A end (lets a packet's direction be found from the key alone).</summary>
    public bool ClientIsA { get; internal set; }

    public long Id { get; internal set; }
    public IpAddr ClientIp => ClientIsA ? Key.A : Key.B;
    public IpAddr ServerIp => ClientIsA ? Key.B : Key.A;
    public ushort ClientPort => ClientIsA ? Key.PortA : Key.PortB;
    public ushort ServerPort => ClientIsA ? Key.PortB : Key.PortA;
    public byte Protocol => Key.Protocol;
    public ushort VlanId => Key.VlanId;
    public int IpVersion => Key.A.IsV4 ? 4 : 6;
    public bool IsTcp => Key.Protocol == IpProtocol.Tcp;

    public Host Client { get; internal set; } = null!;
    public Host Server { get; internal set; } = null!;

    public long FirstSeenNs { get; internal set; }
    public long LastSeenNs { get; internal set; }

    public DirectionStats ClientToServer;
    public DirectionStats ServerToClient;

    public TcpState Tcp { get; internal set; }

    /// <summary>True once the flow is over (TCP close seen); it stays in the table until the close timeout passes.</summary>
    public bool IsClosing => (Tcp & (TcpState.ResetFromClient | TcpState.ResetFromServer)) != 0
        || (Tcp & (TcpState.FinFromClient | TcpState.FinFromServer)) == (TcpState.FinFromClient | TcpState.FinFromServer);

    public bool HandshakeCompleted => (Tcp & TcpState.Established) != 0;

    /// <summary>Set when application-protocol detection has finished (the ProtocolDetected hook ran).</summary>
    public bool DetectionCompleted { get; internal set; }

    /// <summary>What application-protocol detection found; null without an inspector or before it reports.</summary>
    public IFlowApplication? Application { get; set; }

    /// <summary>The flow inspector's own per-flow state (e.g. the nDPI flow), kept here to avoid a lookup per packet.</summary>
    public object? InspectorState { get; set; }

    /// <summary>When the next PeriodicUpdate hook is due for this flow.</summary>
    public long NextPeriodicNs { get; set; }

    /// <summary>Alert state kept by the checks: which flow alert types (ids 0..127) were raised, and the scores.</summary>
    public FlowAlertState Alerts;

    public long TotalPackets => ClientToServer.Packets + ServerToClient.Packets;
    public long TotalBytes => ClientToServer.Bytes + ServerToClient.Bytes;

    public override string ToString() =>
        $"{FlowKey.ProtocolName(Protocol)} {FlowKey.Format(ClientIp, ClientPort)} -> {FlowKey.Format(ServerIp, ServerPort)}"
        + (VlanId != 0 ? $" vlan {VlanId}" : "");

    internal void Reset()
    {
        ClientToServer = default;
        ServerToClient = default;
        Tcp = TcpState.None;
        DetectionCompleted = false;
        Application = null;
        InspectorState = null;
        Alerts = default;
        Client = null!;
        Server = null!;
    }
}

/// <summary>Which flow alert types a flow raised (ntopng's alerts_map) and the score they add up to.</summary>
public struct FlowAlertState
{
    private ulong low;
    private ulong high;

    public int ClientScore;
    public int ServerScore;

    public readonly int Score => ClientScore + ServerScore;

    public readonly bool Any => (low | high) != 0;

    public readonly bool Has(int alertId) =>
        alertId < 64 ? (low & (1UL << alertId)) != 0 : (high & (1UL << (alertId - 64))) != 0;

    /// <summary>Records an alert type once per flow; false when it was already raised.</summary>
    public bool TryAdd(int alertId, int clientScore, int serverScore)
    {
        if ((uint)alertId >= 128)
            throw new ArgumentOutOfRangeException(nameof(alertId), "flow alert ids are 0..127");
        if (Has(alertId))
            return false;
        if (alertId < 64)
            low |= 1UL << alertId;
        else
            high |= 1UL << (alertId - 64);
        ClientScore += clientScore;
        ServerScore += serverScore;
        return true;
    }
}
