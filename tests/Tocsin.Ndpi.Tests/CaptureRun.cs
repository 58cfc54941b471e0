using Tocsin.Capture;
using Tocsin.Decode;
using Tocsin.Testing;
using Tocsin.Traffic;

namespace Tocsin.Ndpi.Tests;

/// <summary>What the pipeline concluded for one flow, keyed as <see cref="NdpiFlow.Key"/>; Packets are the flow's total.</summary>
internal sealed record DetectedFlow(string Key, NdpiApplication Application, long Packets);

/// <summary>
/// Runs a shared capture through the real pipeline (CaptureFile → PacketDecoder → TrafficTracker with an
/// <see cref="NdpiInspector"/>) and records each flow's <see cref="NdpiApplication"/> when its detection ends.
/// </summary>
internal sealed class CaptureRun : ITrafficObserver
{
    /// <summary>
    /// ndpiReader never expires a flow when reading a file (its idle scan runs only on live captures): with
    /// these timeouts no flow here ends idle or closed mid-capture either, so each sees the packets ndpiReader's
    /// flow saw (a port pair reused after a close is the one exception: see <see cref="Flows"/>).
    /// </summary>
    public static readonly TrafficOptions NoExpiry = new()
    {
        FlowIdleTimeout = TimeSpan.FromDays(3650),
        TcpCloseTimeout = TimeSpan.FromDays(3650),
    };

    private readonly Dictionary<long, NdpiApplication> detected = [];

    /// <summary>
    /// One flow per key. When a port pair is reused after a close (a SYN after a RST or FINs), the tracker starts a
    /// new flow where ndpiReader keeps feeding the old one; the flow kept is the one with the most packets, the one
    /// whose payload ndpiReader's detection came from.
    /// </summary>
    public Dictionary<string, DetectedFlow> Flows { get; } = [];

    /// <summary>Flows whose key another flow of the capture also had.</summary>
    public int RepeatedKeys { get; private set; }

    /// <summary>Flows that ended without the application set at ProtocolDetected (should never happen).</summary>
    public int EndedWithoutApplication { get; private set; }

    /// <summary>Flows whose native nDPI flow was still allocated after ProtocolDetected (should never happen).</summary>
    public int NotFreedAtDetection { get; private set; }

    /// <summary>The most native flows alive at once during the run.</summary>
    public long PeakLiveNativeFlows { get; private set; }

    public long Packets { get; private set; }

    /// <summary>The list files nDPI's own tests use (the ones the .out files were produced with).</summary>
    public static NdpiOptions SharedLists() => new()
    {
        ProtocolsFile = Path.Combine(SharedData.NdpiConfigDir, "protos.txt"),
        CategoriesFile = Path.Combine(SharedData.NdpiConfigDir, "categories.txt"),
        RiskyDomainsFile = Path.Combine(SharedData.NdpiConfigDir, "risky_domains.txt"),
        MaliciousJa3File = Path.Combine(SharedData.NdpiConfigDir, "ja3_fingerprints.csv"),
        MaliciousSha1File = Path.Combine(SharedData.NdpiConfigDir, "sha1_fingerprints.csv"),
    };

    public static CaptureRun Run(string capture, NdpiInspector inspector)
    {
        var run = new CaptureRun();
        var tracker = new TrafficTracker(NoExpiry, new LocalNetworks([]), run, inspector);
        var decoder = new PacketDecoder();
        var packet = new DecodedPacket();
        long last = 0;
        using (var reader = CaptureFile.Open(SharedData.NdpiPcap(capture)))
        {
            while (reader.TryReadNext(out var raw))
            {
                last = raw.TimestampNs;
                if (decoder.Decode(raw.Data, raw.LinkType, raw.OriginalLength, ref packet) != DecodeResult.Ip)
                    continue;
                if (tracker.Process(in packet, raw.Data, raw.TimestampNs) is not null)
                    run.Packets++;
                run.PeakLiveNativeFlows = Math.Max(run.PeakLiveNativeFlows, inspector.LiveNativeFlows);
            }
        }
        tracker.Close(last);
        return run;
    }

    public static string Key(Flow flow) =>
        NdpiFlow.MakeKey(flow.Protocol, flow.VlanId, flow.ClientIp.ToString(), flow.ClientPort, flow.ServerIp.ToString(), flow.ServerPort);

    public void FlowBegin(Flow flow)
    {
    }

    public void ProtocolDetected(Flow flow)
    {
        if (flow.InspectorState is not null)
            NotFreedAtDetection++;
        if (flow.Application is NdpiApplication app)
            detected[flow.Id] = app;
    }

    public void FlowEnd(Flow flow)
    {
        if (!detected.Remove(flow.Id, out var app) || !ReferenceEquals(app, flow.Application))
        {
            EndedWithoutApplication++;
            return;
        }
        var key = Key(flow);
        var found = new DetectedFlow(key, app, flow.TotalPackets);
        if (Flows.TryGetValue(key, out var other))
        {
            RepeatedKeys++;
            if (other.Packets >= found.Packets)
                return;
        }
        Flows[key] = found;
    }

    public void HostRemoved(Host host)
    {
    }
}
