using Microsoft.Extensions.Logging;
using Tocsin.Alerts;

namespace Tocsin.Notifications;

/// <summary>
/// Keeps lost alerts visible. It counts what each recipient lost (the oldest alerts of its full queue, its oldest
/// dead letters beyond their bound) and raises ntopng's "dropped alerts" system alert with the count, at most once
/// per interval per recipient, into the other recipients' queues: never into the one that lost them, which would
/// feed the loss. Thread-safe: the queue writer and the dispatcher's rounds both report.
/// </summary>
internal sealed class DropReports(NotificationQueue queue, IReadOnlyList<RecipientLane> lanes, TimeSpan interval, ILogger logger,
    Action<RecipientLane> notify)
{
    private readonly Lock gate = new();
    private readonly Dictionary<RecipientLane, Losses> losses = lanes.ToDictionary(l => l, _ => new Losses());

    /// <summary>Every system alert raised, e.g. to store it.</summary>
    public event Action<Alert>? Raised;

    public void Add(RecipientQueue recipient, long queued, long deadLetters)
    {
        lock (gate)
        {
            var l = losses[lanes.First(lane => lane.Queue == recipient)];
            l.Queued += queued;
            l.DeadLetters += deadLetters;
        }
    }

    /// <summary>True while a loss is not yet reported (its alert not yet committed to the other queues).</summary>
    public bool Unreported
    {
        get
        {
            lock (gate)
                return losses.Values.Any(l => l.Count > 0);
        }
    }

    /// <summary>How long until the next report is due, or null when nothing is waiting.</summary>
    public TimeSpan? NextDue(DateTimeOffset now)
    {
        lock (gate)
        {
            TimeSpan? next = null;
            foreach (var l in losses.Values.Where(l => l.Count > 0))
            {
                var left = l.LastReport + interval - now;
                if (left < TimeSpan.Zero)
                    left = TimeSpan.Zero;
                if (next is null || left < next)
                    next = left;
            }
            return next;
        }
    }

    /// <summary>
    /// Raises the reports that are due (all of them when <paramref name="final"/>). A loss counts as reported once its
    /// alert is committed: when the queue fails, the next try waits for the interval, final or not.
    /// </summary>
    public void Report(DateTimeOffset now, bool final)
    {
        lock (gate)
        {
            foreach (var (lane, l) in losses)
            {
                if (l.Count == 0 || ((!final || l.LastFailed) && now - l.LastReport < interval))
                    continue;
                l.LastReport = now;
                l.LastFailed = true;
                var alert = SystemAlerts.Dropped(lane.Name, l.Queued, l.DeadLetters, lane.Queue.Stats().Dropped, lane.Queue.Capacity, now);
                var json = AlertJson.ToJson(alert);
                var targets = lanes.Where(other => other != lane && other.Config.Accepts(alert)).ToList();
                var overflows = queue.Enqueue([.. targets.Select(t => new QueueEntry(t.Queue, alert.Type.Title, json, now.ToUnixTimeMilliseconds()))]);
                l.Queued = 0;
                l.DeadLetters = 0;
                l.LastFailed = false;
                logger.LogWarning("{Message}", alert.Message);
                Raised?.Invoke(alert);
                foreach (var (q, n) in overflows)
                    losses[lanes.First(t => t.Queue == q)].Queued += n;
                foreach (var t in targets)
                    notify(t);
            }
        }
    }

    private sealed class Losses
    {
        public long Queued { get; set; }
        public long DeadLetters { get; set; }
        public long Count => Queued + DeadLetters;
        public DateTimeOffset LastReport { get; set; } = DateTimeOffset.MinValue;
        public bool LastFailed { get; set; }
    }
}
