using Tocsin.Decode;

namespace Tocsin.Traffic;

/// <summary>Flow and host lifecycle events, in packet-clock order (the checks subscribe to these).</summary>
public interface ITrafficObserver
{
    void FlowBegin(Flow flow);

    void ProtocolDetected(Flow flow);

    /// <summary>The flow ends (idle, closed, or end of the analysis); its object is recycled afterwards.</summary>
    void FlowEnd(Flow flow);

    /// <summary>The host is forgotten (idle, or end of the analysis).</summary>
    void HostRemoved(Host host);
}

/// <summary>
/// Application-protocol detection, fed the packets of each flow until it says it is done. It reports what it
/// found on <see cref="Flow.Application"/>. The core build has none (<see cref="NoInspection"/>): detection is
/// complete at the first packet. One inspector per worker thread: it is never called concurrently.
/// </summary>
public interface IFlowInspector
{
    /// <summary>Inspects one packet of the flow (its time is <see cref="Flow.LastSeenNs"/>); true once detection is complete.</summary>
    bool Inspect(Flow flow, in DecodedPacket packet, ReadOnlySpan<byte> frame, bool fromClient);

    /// <summary>The flow ends before detection completed: conclude with what is known (e.g. guess by port).</summary>
    void GiveUp(Flow flow);

    /// <summary>The flow ended: free what was kept for it.</summary>
    void Release(Flow flow);
}

public sealed class NoInspection : IFlowInspector
{
    public static NoInspection Instance { get; } = new();

    public bool Inspect(Flow flow, in DecodedPacket packet, ReadOnlySpan<byte> frame, bool fromClient) => true;

    public void GiveUp(Flow flow)
    {
    }

    public void Release(Flow flow)
    {
    }
}
