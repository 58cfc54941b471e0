using Tocsin.Testing;

namespace Tocsin.Notifications.Tests;

public sealed class QueueTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    private static QueueEntry Entry(RecipientQueue q, int n) =>
        new(q, "TCP Connection Refused", Notification.FromAlert(TestAlerts.Flow(n)).Json, 1000 + n);

    [Fact]
    public void Each_recipient_is_a_fifo_that_keeps_its_alerts_until_acknowledged_across_restarts()
    {
        var db = dir.File("q.db");
        using (var queue = NotificationQueue.Open(db))
        {
            var a = queue.Register("a", 100);
            var b = queue.Register("b", 100);
            queue.Enqueue([Entry(a, 1), Entry(b, 101), Entry(a, 2), Entry(a, 3), Entry(b, 102), Entry(a, 4)]);
            Assert.Equal(4, a.Queued);
            Assert.Equal(2, b.Queued);
            var head = queue.Peek(a, 2);
            Assert.Equal([1, 2], TestAlerts.Numbers(head));
            queue.Acknowledge(a, head, DateTimeOffset.UtcNow);
            queue.Settle(a);
        }
        using (var queue = NotificationQueue.Open(db))
        {
            var a = queue.Register("a", 100);
            var b = queue.Register("b", 100);
            Assert.Equal(2, a.Queued);
            Assert.Equal(2, a.Stats().Delivered);
            Assert.Equal([3, 4], TestAlerts.Numbers(queue.Peek(a, 10)));
            Assert.Equal([101, 102], TestAlerts.Numbers(queue.Peek(b, 10)));
            // Peeking is not taking: without an acknowledgement the same alerts come again.
            Assert.Equal([3, 4], TestAlerts.Numbers(queue.Peek(a, 10)));
        }
    }

    [Fact]
    public void Delivered_counts_the_alerts_an_acknowledgement_removed()
    {
        var db = dir.File("q.db");
        using var queue = NotificationQueue.Open(db);
        var q = queue.Register("a", 10);
        queue.Enqueue([Entry(q, 1), Entry(q, 2), Entry(q, 3)]);
        var batch = queue.Peek(q, 3);
        queue.Acknowledge(q, batch, DateTimeOffset.UtcNow);
        // The same batch again finds nothing left to remove: nothing more was delivered.
        queue.Acknowledge(q, batch, DateTimeOffset.UtcNow);
        Assert.Equal(0, q.Queued);
        Assert.Equal(3, q.Stats().Delivered);
        Assert.Equal(3, NotificationQueue.ReadStats(db).Single().Delivered);
    }

    [Fact]
    public void A_full_queue_drops_its_oldest_alerts_but_never_the_batch_in_flight_and_counts_them()
    {
        using var queue = NotificationQueue.Open(dir.File("q.db"));
        var q = queue.Register("small", 5);
        queue.Enqueue([.. Enumerable.Range(1, 5).Select(n => Entry(q, n))]);
        var inFlight = queue.Peek(q, 2);
        Assert.Equal([1, 2], TestAlerts.Numbers(inFlight));

        var overflow = queue.Enqueue([.. Enumerable.Range(6, 4).Select(n => Entry(q, n))]);

        Assert.Equal(4, Assert.Single(overflow).Dropped);
        Assert.Equal(5, q.Queued);
        Assert.Equal(4, q.Stats().Dropped);
        queue.Acknowledge(q, inFlight, DateTimeOffset.UtcNow);
        queue.Settle(q);
        Assert.Equal([7, 8, 9], TestAlerts.Numbers(queue.Peek(q, 10)));
        Assert.Equal(2, q.Stats().Delivered);
        Assert.Equal(4, NotificationQueue.ReadStats(dir.File("q.db")).Single().Dropped);
    }

    [Fact]
    public void Rejected_alerts_become_bounded_dead_letters_that_can_be_requeued_in_their_place()
    {
        using var queue = NotificationQueue.Open(dir.File("q.db"));
        var q = queue.Register("r", 2);
        queue.Enqueue([Entry(q, 1), Entry(q, 2)]);
        foreach (var n in queue.Peek(q, 2))
            queue.DeadLetter(q, n, FailureKind.ClientError, "HTTP 400", DateTimeOffset.UtcNow);
        queue.Settle(q);
        queue.Enqueue([Entry(q, 3)]);
        queue.DeadLetter(q, queue.Peek(q, 1).Single(), FailureKind.ClientError, "HTTP 400", DateTimeOffset.UtcNow);
        queue.Settle(q);
        queue.Enqueue([Entry(q, 4)]);

        var stats = q.Stats();
        Assert.Equal(3, stats.Failed);
        Assert.Equal(2, stats.DeadLetters);
        Assert.Equal(1, stats.Dropped);   // the oldest dead letter, beyond the bound
        Assert.Equal(2, queue.Requeue(q));
        Assert.Equal([2, 3, 4], TestAlerts.Numbers(queue.Peek(q, 10)));
        Assert.Equal(0, q.Stats().DeadLetters);
        Assert.Equal(3, q.Queued);
    }

    [Fact]
    public async Task Alerts_of_a_recipient_gone_from_the_config_are_kept_and_reported()
    {
        using (var queue = NotificationQueue.Open(dir.File("tocsin.db")))
        {
            var old = queue.Register("retired", 10);
            queue.Enqueue([Entry(old, 1), Entry(old, 2)]);
        }
        await using (var h = await Harness.StartAsync(dir, """
            endpoints:
              hook: {type: webhook, url: "http://127.0.0.1:9/"}
            recipients:
              current: {endpoint: hook}
            """))
        {
            Assert.Contains(h.Logs.Lines, l => l.Contains("Recipient retired is no longer configured but has 2 queued alerts", StringComparison.Ordinal));
        }
        Assert.Equal(2, NotificationQueue.ReadStats(dir.File("tocsin.db")).Single(s => s.Name == "retired").Queued);
    }

    [Fact]
    public void Only_one_process_at_a_time_delivers_from_a_database()
    {
        var db = dir.File("q.db");
        using (NotificationQueue.Open(db))
        {
            var e = Assert.Throws<QueueBusyException>(() => NotificationQueue.Open(db));
            Assert.Contains("another tocsin process", e.Message, StringComparison.Ordinal);
            // Reading the figures needs no ownership.
            Assert.Empty(NotificationQueue.ReadStats(db));
        }
        using (NotificationQueue.Open(db))
        {
        }
    }

    [Fact]
    public void The_queues_share_the_alert_stores_file_without_touching_its_tables()
    {
        var db = dir.File("tocsin.db");
        var catalog = Tocsin.Alerts.AlertTypeCatalog.Discover(typeof(Tocsin.Checks.Check).Assembly);
        using (var queue = NotificationQueue.Open(db))
        {
            var q = queue.Register("a", 10);
            queue.Enqueue([Entry(q, 1)]);
            using var store = new Tocsin.Store.SqliteAlertStore(db, catalog);
            store.Add(TestAlerts.Flow(1));
            store.Flush();
            Assert.Equal(1, store.Count(new Tocsin.Store.AlertQuery()));
        }
        using (var queue = NotificationQueue.Open(db))
            Assert.Equal(1, queue.Register("a", 10).Queued);
    }
}
