using System.Diagnostics;
using Tocsin.Alerts;
using Tocsin.Capture;
using Tocsin.Checks;
using Tocsin.Decode;
using Tocsin.Traffic;

namespace Tocsin.Analysis;

/// <summary>
/// The offline pipeline: capture → decode → flows and hosts → checks → alert engine, on the capture's own clock.
/// Feed it captures in order with <see cref="Run"/>, then <see cref="Close"/> it once.
/// </summary>
public sealed class Analyzer
{
    private readonly PacketDecoder decoder;
    private readonly TrafficTracker traffic;
    private readonly CheckRunner checks;
    private readonly AlertEngine engine;
    private readonly PeriodicClock clock;
    private readonly List<CaptureError> errors = [];
    private readonly Stopwatch elapsed = new();
    private DecodedPacket packet;
    private long packets;
    private long bytes;
    private long flowPackets;
    private long firstPacketNs;
    private AnalysisSummary? summary;

    public Analyzer(AnalysisOptions options, IEnumerable<Check> checks, AlertEngine engine, IFlowInspector? inspector = null)
    {
        this.engine = engine;
        decoder = new PacketDecoder(options.Decoder);
        this.checks = new CheckRunner(checks, engine, options.Interface);
        traffic = new TrafficTracker(options.Traffic, new LocalNetworks(options.LocalNetworks), this.checks, inspector);
        this.checks.Attach(traffic);
        clock = new PeriodicClock(Housekeeping, Tick);
    }

    public TrafficTracker Traffic => traffic;

    public DecodeStats DecodeStats => decoder.Stats;

    /// <summary>Capture bytes read so far over every capture, for progress display (safe from another thread).</summary>
    public long BytesRead => Volatile.Read(ref completedBytes) + Volatile.Read(ref currentPosition);

    private long currentPosition;
    private long completedBytes;

    /// <summary>Reads a whole capture. Returns its error when it stopped early (what was read before is kept).</summary>
    public CaptureError? Run(ICaptureReader reader, CancellationToken cancellation = default)
    {
        if (summary is not null)
            throw new InvalidOperationException("the analysis is closed");
        elapsed.Start();
        try
        {
            int n = 0;
            while (reader.TryReadNext(out var raw))
            {
                ProcessPacket(raw);
                if ((++n & 0xFFF) == 0)
                {
                    Volatile.Write(ref currentPosition, reader.Position);
                    cancellation.ThrowIfCancellationRequested();
                }
            }
        }
        finally
        {
            elapsed.Stop();
            Volatile.Write(ref completedBytes, completedBytes + reader.Position);
            Volatile.Write(ref currentPosition, 0);
        }
        if (reader.Error is { } error)
            errors.Add(error);
        return reader.Error;
    }

    private void ProcessPacket(RawPacket raw)
    {
        long ts = raw.TimestampNs;
        if (packets++ == 0)
            firstPacketNs = ts;
        bytes += raw.OriginalLength;
        clock.Advance(ts);
        if (decoder.Decode(raw.Data, raw.LinkType, raw.OriginalLength, ref packet) != DecodeResult.Ip)
            return;
        // Timestamps that go backwards are accounted at the clock's time, so flows never age in reverse.
        if (traffic.Process(in packet, raw.Data, clock.NowNs) is not null)
            flowPackets++;
    }

    private void Housekeeping(long nowNs) => traffic.ExpireFlows(nowNs);

    private void Tick(long nowNs, IReadOnlyList<Granularity> ending)
    {
        traffic.ExpireFlows(nowNs);
        foreach (var g in ending)
        {
            if (g == Granularity.Minute)
            {
                checks.RunHostChecks();
                checks.RunFlowPeriodicUpdates();
                traffic.PurgeHosts(nowNs);
            }
            checks.RunThresholds(g, partialPeriod: false);
        }
    }

    /// <summary>
    /// Ends the analysis at the last packet's time: the partial periods are evaluated, every flow ends, the alerts
    /// still engaged are reported and then released.
    /// </summary>
    public AnalysisSummary Close()
    {
        if (summary is not null)
            return summary;
        elapsed.Start();
        long end = clock.NowNs;
        IReadOnlyList<Alert> engagedAtEnd = [];
        if (clock.Started)
        {
            traffic.ExpireFlows(end);
            checks.RunHostChecks();
            foreach (var g in Granularities.All)
                checks.RunThresholds(g, partialPeriod: true);
            engagedAtEnd = [.. engine.EngagedAlerts.OrderBy(a => a.Tstamp).ThenBy(a => a.Type.Id).ThenBy(a => a.EntityValue, StringComparer.Ordinal)];
            traffic.Close(end);
            engine.ReleaseAll(end / 1_000_000_000);
        }
        elapsed.Stop();
        summary = new AnalysisSummary
        {
            Packets = packets,
            Bytes = bytes,
            IpPackets = decoder.Stats.IpPackets,
            FlowPackets = flowPackets,
            UnattributedPackets = traffic.UnattributedPackets,
            Flows = traffic.Interface.Flows,
            FlowsRefused = traffic.Flows.Refused,
            Hosts = traffic.Hosts.Created,
            HostsRefused = traffic.Hosts.Refused,
            Decode = decoder.Stats,
            Alerts = [.. engine.Counts.Select(kv => (kv.Key.Type, kv.Key.Action, kv.Value))
                .OrderBy(x => x.Type.Space).ThenBy(x => x.Type.Id).ThenBy(x => x.Action)],
            EngagedAtEnd = engagedAtEnd,
            CaptureErrors = errors,
            FirstPacketNs = firstPacketNs,
            LastPacketNs = end,
            Elapsed = elapsed.Elapsed,
        };
        return summary;
    }
}
