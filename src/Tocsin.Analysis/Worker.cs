using System.Collections.Concurrent;
using Tocsin.Alerts;
using Tocsin.Capture;
using Tocsin.Checks;
using Tocsin.Decode;
using Tocsin.Traffic;

namespace Tocsin.Analysis;

/// <summary>
/// One shard of the traffic: its own reader, decoder and copy of the capture's clock, the host pairs that hash to
/// it, the hosts as it sees them, its flow checks and its own application inspector (nDPI is not thread-safe).
/// Every worker reads and decodes the whole capture, which keeps each clock exact and costs far less than handing
/// packets between threads did (frame copies, queue hand-overs, a reading thread competing with the workers); it
/// tracks only the packets of its shard. At each tick it ends its idle flows, updates its long ones on minute
/// ticks, and hands over to the analysis' tick, which with several workers merges its share of the tick with theirs.
/// </summary>
internal sealed class Worker
{
    private readonly int index;
    private readonly int shards;
    private readonly LocalNetworks networks;
    private readonly PacketDecoder decoder;
    private readonly Action<Worker, long, IReadOnlyList<Granularity>> tick;
    private DecodedPacket packet;
    private long position;
    private long lastShareNs;
    // Host lists of merged shares, reused: a busy tick's list is large, and allocating one per tick made the large
    // object heap trigger a full collection at nearly every tick.
    private readonly ConcurrentBag<List<HostShare>> shareLists = [];

    /// <param name="tick">The analysis' part of a tick, after the worker's own.</param>
    public Worker(int index, int shards, AnalysisOptions options, LocalNetworks networks, IEnumerable<Check> checks, AlertEngine engine,
        IFlowInspector inspector, Action<Host>? hostRemoved, Action<Worker, long, IReadOnlyList<Granularity>> tick, FlowBudget? flowBudget)
    {
        this.index = index;
        this.shards = shards;
        this.networks = networks;
        this.tick = tick;
        decoder = new PacketDecoder(options.Decoder);
        Checks = new FlowChecksRunner(checks, engine, options.Interface, hostRemoved);
        Traffic = new TrafficTracker(options.Traffic, networks, Checks, inspector, flowBudget);
        Checks.Attach(Traffic);
        Clock = new PeriodicClock(now => Traffic.ExpireFlows(now), Tick);
    }

    public int Index => index;

    public TrafficTracker Traffic { get; }

    public FlowChecksRunner Checks { get; }

    public PeriodicClock Clock { get; }

    /// <summary>Decoding of every packet of the captures (each worker decodes them all).</summary>
    public DecodeStats DecodeStats => decoder.Stats;

    /// <summary>Packets and bytes read, of every shard.</summary>
    public long Packets { get; private set; }

    public long Bytes { get; private set; }

    public long FirstPacketNs { get; private set; }

    /// <summary>Bytes of the current capture read so far (safe from another thread).</summary>
    public long Position => Volatile.Read(ref position);

    /// <summary>Reads a whole capture, tracking the packets of this shard. Returns the reader's error, if any.</summary>
    public CaptureError? Read(ICaptureReader reader, CancellationToken cancellation)
    {
        try
        {
            int n = 0;
            while (reader.TryReadNext(out var raw))
            {
                long ts = raw.TimestampNs;
                if (Packets++ == 0)
                    FirstPacketNs = ts;
                Bytes += raw.OriginalLength;
                Clock.Advance(ts);
                // Timestamps that go backwards are accounted at the clock's time, so flows never age in reverse.
                if (decoder.Decode(raw.Data, raw.LinkType, raw.OriginalLength, ref packet) == DecodeResult.Ip
                    && (shards == 1 || ShardOf(in packet) == index))
                    Traffic.Process(in packet, raw.Data, Clock.NowNs);
                if ((++n & 0xFFF) == 0)
                {
                    Volatile.Write(ref position, reader.Position);
                    cancellation.ThrowIfCancellationRequested();
                }
            }
            return reader.Error;
        }
        finally
        {
            Volatile.Write(ref position, 0);
        }
    }

    /// <summary>
    /// The shard a packet belongs to, the same both ways. Shards are host pairs rather than single flows: nDPI
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
        return (int)((h ^ (h >> 29)) % (ulong)shards);
    }

    private void Tick(long nowNs, IReadOnlyList<Granularity> ending)
    {
        Traffic.ExpireFlows(nowNs);
        if (ending.Contains(Granularity.Minute))
            Checks.RunPeriodicUpdates();
        tick(this, nowNs, ending);
    }

    /// <summary>
    /// This worker's share of the merged view now: the hosts it changed since its last share (see
    /// <see cref="HostTable.ShareChanges"/>) and a copy of its counters. On the worker's thread, or once it has stopped.
    /// </summary>
    public TickShare TakeShare()
    {
        var hosts = shareLists.TryTake(out var list) ? list : [];
        Traffic.Hosts.ShareChanges(lastShareNs, hosts);
        lastShareNs = Clock.NowNs;
        return new TickShare(hosts, Traffic.Interface.Copy(), [.. Traffic.Networks.Select(n => n.Copy())]);
    }

    /// <summary>A share's host list once merged, for a later share to fill again.</summary>
    public void Recycle(TickShare share)
    {
        share.Hosts.Clear();
        shareLists.Add(share.Hosts);
    }
}
