using Tocsin.Capture;
using Tocsin.Decode;
using Tocsin.Traffic;

namespace Tocsin.Traffic.Tests;

/// <summary>Feeds built frames through the real decoder into a tracker and records the lifecycle events.</summary>
internal sealed class TrafficHarness : ITrafficObserver
{
    public const long Start = 1_700_000_000L * 1_000_000_000;

    private readonly PacketDecoder decoder = new();
    private DecodedPacket packet;

    public TrafficHarness(TrafficOptions? options = null, params string[] localNetworks)
    {
        Tracker = new TrafficTracker(options ?? new TrafficOptions(), new LocalNetworks(localNetworks.Select(IpNetwork.Parse)), this);
    }

    public TrafficTracker Tracker { get; }

    public List<string> Events { get; } = [];

    /// <summary>Snapshots of flows taken at FlowEnd (the objects are recycled afterwards).</summary>
    public List<EndedFlow> Ended { get; } = [];

    public Flow? Send(double atSeconds, byte[] frame)
    {
        Assert.Equal(DecodeResult.Ip, decoder.Decode(frame, LinkType.Ethernet, frame.Length, ref packet));
        return Tracker.Process(in packet, frame, Start + (long)(atSeconds * 1e9));
    }

    public static long At(double seconds) => Start + (long)(seconds * 1e9);

    public void FlowBegin(Flow flow) => Events.Add("begin " + flow);

    public void ProtocolDetected(Flow flow) => Events.Add("detected " + flow);

    public void FlowEnd(Flow flow)
    {
        Events.Add("end " + flow);
        Ended.Add(new EndedFlow(flow.ToString(), flow.Tcp, flow.ClientToServer, flow.ServerToClient, flow.LastSeenNs));
    }

    public void HostRemoved(Host host) => Events.Add("removed " + host);
}

internal sealed record EndedFlow(string Name, TcpState Tcp, DirectionStats ClientToServer, DirectionStats ServerToClient, long LastSeenNs);
