using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using Tocsin.Alerts;
using Tocsin.Checks;
using Tocsin.Decode;
using Tocsin.Traffic;

namespace Tocsin.Analysis;

/// <summary>
/// One shard of the traffic: the flows whose key hashes to it, the hosts as it sees them, its flow checks and its
/// own application inspector (nDPI is not thread-safe). Run inline, or on its own thread fed by a channel.
/// </summary>
internal sealed class Worker
{
    // Blocking, not a Channel: waiting on a channel from a plain thread goes through the thread pool, whose idle
    // threads spun away a core's worth of CPU that the workers needed.
    private readonly BlockingCollection<WorkItem> queue = new(boundedCapacity: 16);
    private readonly ConcurrentQueue<PacketBatch> freeBatches = new();
    private Thread? thread;
    private ExceptionDispatchInfo? failure;

    public Worker(AnalysisOptions options, LocalNetworks networks, IEnumerable<Check> checks, AlertEngine engine,
        IFlowInspector inspector, Action<Host>? hostRemoved)
    {
        Checks = new FlowChecksRunner(checks, engine, options.Interface, hostRemoved);
        Traffic = new TrafficTracker(options.Traffic, networks, Checks, inspector);
        Checks.Attach(Traffic);
    }

    public TrafficTracker Traffic { get; }

    public FlowChecksRunner Checks { get; }

    public long FlowPackets { get; private set; }

    public bool Failed => failure is not null;

    public void Process(in DecodedPacket packet, ReadOnlySpan<byte> frame, long timestampNs)
    {
        if (Traffic.Process(in packet, frame, timestampNs) is not null)
            FlowPackets++;
    }

    /// <summary>The clock reached a tick: flows idle by then end, and on minute ticks long flows get their periodic update.</summary>
    public void Tick(long nowNs, bool minute)
    {
        Traffic.ExpireFlows(nowNs);
        if (minute)
            Checks.RunPeriodicUpdates();
    }

    public void Start(int index)
    {
        thread = new Thread(Loop) { Name = $"tocsin-worker-{index}", IsBackground = true };
        thread.Start();
    }

    /// <summary>A batch to fill: a recycled one when the worker has returned some.</summary>
    public PacketBatch RentBatch(bool copyFrames) => freeBatches.TryDequeue(out var batch) ? batch : new PacketBatch(copyFrames);

    /// <summary>Queues work, waiting while the worker is behind; rethrows the worker's failure.</summary>
    public void Post(WorkItem item)
    {
        failure?.Throw();
        try
        {
            queue.Add(item);
        }
        catch (InvalidOperationException) when (failure is not null)
        {
            // The worker failed and closed its queue while this waited for room.
            failure.Throw();
        }
    }

    /// <summary>No more work: waits for the thread to finish everything queued.</summary>
    public void Complete()
    {
        queue.CompleteAdding();
        thread?.Join();
        failure?.Throw();
    }

    public void ThrowIfFailed() => failure?.Throw();

    private void Loop()
    {
        try
        {
            foreach (var item in queue.GetConsumingEnumerable())
                Handle(item);
        }
        catch (Exception e)
        {
            failure = ExceptionDispatchInfo.Capture(e);
            queue.CompleteAdding();
        }
    }

    private void Handle(WorkItem item)
    {
        switch (item.Kind)
        {
            case WorkKind.Packets:
                var batch = item.Batch!;
                int mark = 0;
                for (int i = 0; i < batch.Count; i++)
                {
                    mark = Housekeeping(batch, mark, i);
                    Process(in batch.Packets[i], batch.Frame(i), batch.Times[i]);
                }
                Housekeeping(batch, mark, batch.Count);
                batch.Clear();
                freeBatches.Enqueue(batch);
                break;
            case WorkKind.Tick:
                Tick(item.TimeNs, item.Minute);
                break;
            case WorkKind.Close:
                Traffic.Close(item.TimeNs);
                break;
        }
        item.Done?.Signal();
    }

    /// <summary>Runs the batch's housekeeping marks that fall before packet <paramref name="index"/>; returns the next mark.</summary>
    private int Housekeeping(PacketBatch batch, int mark, int index)
    {
        var marks = batch.Housekeeping;
        for (; mark < marks.Count && marks[mark].BeforePacket == index; mark++)
            Traffic.ExpireFlows(marks[mark].TimeNs);
        return mark;
    }
}

internal enum WorkKind
{
    Packets,
    Tick,
    Close,
}

/// <summary>What the reader sends a worker: packets, or a moment of the clock (with a countdown when it waits for it).</summary>
internal sealed record WorkItem(WorkKind Kind, PacketBatch? Batch = null, long TimeNs = 0, bool Minute = false, CountdownEvent? Done = null);

/// <summary>
/// Decoded packets (and their frames, when an inspector needs them) on their way to one worker, reused. The clock's
/// once-a-second housekeeping rides in the batch as marks between packets: sending a batch for each second of a
/// sparse capture (tens of packets a second) made workers pass tiny batches back and forth.
/// </summary>
internal sealed class PacketBatch(bool copyFrames)
{
    public const int Capacity = 512;
    private const int DataCapacity = 512 * 1024;

    // Inspectors look at one IP packet (at most 64 KiB) behind a few link and tunnel headers.
    private const int MaxFrameCopy = 128 * 1024;

    private readonly byte[] data = copyFrames ? new byte[DataCapacity] : [];
    private readonly int[] offsets = new int[Capacity];
    private readonly int[] lengths = new int[Capacity];
    private int used;

    public DecodedPacket[] Packets { get; } = new DecodedPacket[Capacity];

    public long[] Times { get; } = new long[Capacity];

    public int Count { get; private set; }

    /// <summary>Flow expiry due before the packet at an index (at <see cref="Count"/>: after the last one), in order.</summary>
    public List<(int BeforePacket, long TimeNs)> Housekeeping { get; } = [];

    public bool IsEmpty => Count == 0 && Housekeeping.Count == 0;

    public void AddHousekeeping(long timeNs) => Housekeeping.Add((Count, timeNs));

    /// <summary>False when full (by count or by frame bytes): send it and start another.</summary>
    public bool TryAdd(in DecodedPacket packet, ReadOnlySpan<byte> frame, long timestampNs)
    {
        int length = copyFrames ? Math.Min(frame.Length, MaxFrameCopy) : 0;
        if (Count == Capacity || used + length > data.Length)
            return false;
        frame[..length].CopyTo(data.AsSpan(used));
        offsets[Count] = used;
        lengths[Count] = length;
        used += length;
        Packets[Count] = packet;
        Times[Count] = timestampNs;
        Count++;
        return true;
    }

    public ReadOnlySpan<byte> Frame(int i) => data.AsSpan(offsets[i], lengths[i]);

    public void Clear()
    {
        Count = 0;
        used = 0;
        Housekeeping.Clear();
    }
}
