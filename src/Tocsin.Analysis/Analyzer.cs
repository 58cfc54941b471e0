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
/// With several workers, the reading thread decodes and shards packets by flow; each worker tracks its flows and
/// its view of the hosts; at every tick the workers pause, their hosts' counters are merged, and host and
/// threshold checks run on the merged view, so the alerts equal those of one worker.
/// </summary>
public sealed class Analyzer
{
    private readonly PacketDecoder decoder;
    private readonly LocalNetworks networks;
    private readonly Worker[] workers;
    private readonly PacketBatch[] batches;
    private readonly bool copyFrames;
    private readonly PeriodicChecksRunner periodic;
    private readonly AlertEngine engine;
    private readonly PeriodicClock clock;
    private readonly HostTable? mergedHosts;
    private readonly TrafficOptions traffic;
    private readonly List<CaptureError> errors = [];
    private readonly Stopwatch elapsed = new();
    private DecodedPacket packet;
    private long packets;
    private long bytes;
    private long firstPacketNs;
    private long lastMergeNs;
    private long currentPosition;
    private long completedBytes;
    private AnalysisSummary? summary;

    /// <param name="inspectors">Makes one application inspector per worker (null: no application detection).</param>
    public Analyzer(AnalysisOptions options, IEnumerable<Check> checks, AlertEngine engine, Func<IFlowInspector>? inspectors = null)
    {
        if (options.Workers < 1)
            throw new ArgumentOutOfRangeException(nameof(options), "at least one worker");
        this.engine = engine;
        traffic = options.Traffic;
        decoder = new PacketDecoder(options.Decoder);
        networks = new LocalNetworks(options.LocalNetworks);
        var checkList = checks.ToList();
        periodic = new PeriodicChecksRunner(checkList, engine, options.Interface, networks);
        bool single = options.Workers == 1;
        // One worker forgets its hosts itself; several feed a merged table that does it.
        workers = [.. Enumerable.Range(0, options.Workers).Select(_ =>
            new Worker(options, networks, checkList, engine, inspectors?.Invoke() ?? NoInspection.Instance, single ? periodic.HostRemoved : null))];
        copyFrames = inspectors is not null;
        batches = new PacketBatch[workers.Length];
        if (!single)
        {
            mergedHosts = new HostTable(traffic.MaxHosts, networks);
            for (int i = 0; i < workers.Length; i++)
            {
                workers[i].Start(i);
                batches[i] = workers[i].RentBatch(copyFrames);
            }
        }
        clock = new PeriodicClock(Housekeeping, Tick);
    }

    public DecodeStats DecodeStats => decoder.Stats;

    /// <summary>Capture bytes read so far over every capture, for progress display (safe from another thread).</summary>
    public long BytesRead => Volatile.Read(ref completedBytes) + Volatile.Read(ref currentPosition);

    private bool Single => mergedHosts is null;

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
        if (Single)
        {
            workers[0].Process(in packet, raw.Data, clock.NowNs);
            return;
        }
        int shard = ShardOf(in packet);
        if (!batches[shard].TryAdd(in packet, raw.Data, clock.NowNs))
        {
            Send(shard);
            batches[shard].TryAdd(in packet, raw.Data, clock.NowNs);
        }
    }

    /// <summary>
    /// The worker a packet goes to, the same both ways. Workers take host pairs rather than single flows: nDPI
    /// remembers hosts across flows (TINC, STUN, FTP data, BitTorrent caches) in its per-worker module, and flows of
    /// the same two hosts must meet the same memory to be classified as one worker would. With local networks, a
    /// packet with one local end goes by that host alone, so all of a local host's flows share a worker.
    /// </summary>
    private int ShardOf(in DecodedPacket p)
    {
        IpAddr a = p.Src, b = p.Dst;
        if (networks.Count > 0)
        {
            bool srcLocal = networks.IndexOf(a) >= 0, dstLocal = networks.IndexOf(b) >= 0;
            if (srcLocal != dstLocal)
                a = b = srcLocal ? a : b;
        }
        if (b < a)
            (a, b) = (b, a);
        ulong h = (a.Hi ^ (a.Lo * 0x9E37_79B9_7F4A_7C15UL)) * 0xC2B2_AE3D_27D4_EB4FUL;
        h = (h ^ b.Hi ^ (b.Lo * 0x1656_67B1_9E37_79F9UL) ^ p.VlanId) * 0x9E37_79B9_7F4A_7C15UL;
        return (int)((h ^ (h >> 29)) % (ulong)workers.Length);
    }

    private void Send(int shard)
    {
        workers[shard].Post(new WorkItem(WorkKind.Packets, batches[shard]));
        batches[shard] = workers[shard].RentBatch(copyFrames);
    }

    private void Flush()
    {
        for (int i = 0; i < workers.Length; i++)
        {
            if (!batches[i].IsEmpty)
                Send(i);
        }
    }

    private void Housekeeping(long nowNs)
    {
        if (Single)
        {
            workers[0].Traffic.ExpireFlows(nowNs);
            return;
        }
        foreach (var batch in batches)
            batch.AddHousekeeping(nowNs);
    }

    private void Tick(long nowNs, IReadOnlyList<Granularity> ending)
    {
        bool minute = ending.Contains(Granularity.Minute);
        Everywhere(WorkKind.Tick, nowNs, minute);
        periodic.NowNs = nowNs;
        foreach (var g in ending)
        {
            if (g == Granularity.Minute)
            {
                periodic.RunHostChecks(Hosts());
                if (Single)
                    workers[0].Traffic.PurgeHosts(nowNs);
                else
                    mergedHosts!.Purge(nowNs, traffic.LocalHostIdleTimeout.Ticks * 100, traffic.RemoteHostIdleTimeout.Ticks * 100, periodic.HostRemoved);
            }
            RunThresholds(g, partial: false);
        }
    }

    /// <summary>Has every worker do one step of the clock and waits until all have done it.</summary>
    private void Everywhere(WorkKind kind, long nowNs, bool minute = false)
    {
        if (Single)
        {
            if (kind == WorkKind.Tick)
                workers[0].Tick(nowNs, minute);
            else
                workers[0].Traffic.Close(nowNs);
            return;
        }
        Flush();
        using var done = new CountdownEvent(workers.Length);
        foreach (var w in workers)
            w.Post(new WorkItem(kind, TimeNs: nowNs, Minute: minute, Done: done));
        while (!done.Wait(TimeSpan.FromMilliseconds(100)))
        {
            foreach (var w in workers)
                w.ThrowIfFailed();
        }
    }

    /// <summary>The hosts the periodic checks look at: the worker's own, or the workers' merged (absorbed now).</summary>
    private IEnumerable<Host> Hosts()
    {
        if (Single)
            return workers[0].Traffic.Hosts.All;
        var merged = mergedHosts!;
        merged.ResetActiveFlows();
        foreach (var w in workers)
        {
            foreach (var host in w.Traffic.Hosts.All)
                merged.Absorb(host, lastMergeNs);
            w.Traffic.Hosts.RemoveInactive();
        }
        lastMergeNs = clock.NowNs;
        return merged.All;
    }

    private void RunThresholds(Granularity g, bool partial)
    {
        if (Single)
        {
            var t = workers[0].Traffic;
            periodic.RunThresholds(g, partial, t.Interface, t.Networks, t.Hosts.All);
            return;
        }
        var total = new TrafficCounters();
        var perNetwork = Enumerable.Range(0, networks.Count).Select(_ => new TrafficCounters()).ToArray();
        foreach (var w in workers)
        {
            total.Add(w.Traffic.Interface);
            for (int i = 0; i < perNetwork.Length; i++)
                perNetwork[i].Add(w.Traffic.Networks[i]);
        }
        periodic.RunThresholds(g, partial, total, perNetwork, mergedHosts!.All);
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
            Everywhere(WorkKind.Tick, end);
            periodic.NowNs = end;
            periodic.RunHostChecks(Hosts());
            foreach (var g in Granularities.All)
                RunThresholds(g, partial: true);
            engagedAtEnd = [.. engine.EngagedAlerts.OrderBy(a => a.Tstamp).ThenBy(a => a.Type.Id).ThenBy(a => a.EntityValue, StringComparer.Ordinal)];
            Everywhere(WorkKind.Close, end);
            mergedHosts?.RemoveAll(periodic.HostRemoved);
            engine.ReleaseAll(end / 1_000_000_000);
        }
        if (!Single)
        {
            foreach (var w in workers)
                w.Complete();
        }
        elapsed.Stop();
        var decodeStats = decoder.Stats;
        summary = new AnalysisSummary
        {
            Packets = packets,
            Bytes = bytes,
            IpPackets = decodeStats.IpPackets,
            FlowPackets = workers.Sum(w => w.FlowPackets),
            UnattributedPackets = workers.Sum(w => w.Traffic.UnattributedPackets),
            Flows = workers.Sum(w => w.Traffic.Interface.Flows),
            FlowsRefused = workers.Sum(w => w.Traffic.Flows.Refused),
            Hosts = mergedHosts?.Created ?? workers[0].Traffic.Hosts.Created,
            HostsRefused = workers.Sum(w => w.Traffic.Hosts.Refused),
            Decode = decodeStats,
            Alerts = [.. engine.Counts.Select(kv => (kv.Key.Type, kv.Key.Action, kv.Value))
                .OrderBy(x => x.Type.Space).ThenBy(x => x.Type.Id).ThenBy(x => x.Action)],
            EngagedAtEnd = engagedAtEnd,
            CaptureErrors = errors,
            FirstPacketNs = firstPacketNs,
            LastPacketNs = end,
            Elapsed = elapsed.Elapsed,
            Workers = workers.Length,
        };
        return summary;
    }
}
