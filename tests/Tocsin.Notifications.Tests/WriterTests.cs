using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Tocsin.Alerts;
using Tocsin.Testing;

namespace Tocsin.Notifications.Tests;

public sealed class WriterTests : ReceiverTest
{
    private string Yaml(string recipients, string endpoints = "") => $"""
        endpoints:
        {endpoints}
          hook:
            type: webhook
            url: {Receiver.Url()}
            batch_delay: 0
            retry_initial: 20ms
            retry_max: 100ms
          down:
            type: webhook
            url: http://127.0.0.1:{FreePort.Tcp()}/nobody
            retry_initial: 1h
            retry_max: 1h
        recipients:
        {recipients}
        """;

    /// <summary>The numbers of the alerts waiting in <paramref name="recipient"/>'s queue, oldest first (once the harness is gone).</summary>
    private List<int> NumbersQueued(string recipient)
    {
        using var queue = NotificationQueue.Open(Dir.File("tocsin.db"));
        return TestAlerts.Numbers(queue.Peek(queue.Register(recipient, RecipientConfig.DefaultQueueSize), int.MaxValue));
    }

    [Fact]
    public async Task Each_recipient_gets_only_what_its_filter_takes()
    {
        var yaml = Yaml("""
              everything: {endpoint: hook, min_severity: debug}
              warnings: {endpoint: hook, min_severity: warning}
              hosts: {endpoint: hook, entities: [host], min_severity: debug}
              security: {endpoint: hook, categories: [security], min_severity: debug}
              scans: {endpoint: hook, alert_types: [syn_scan], min_severity: debug}
              engages: {endpoint: hook, actions: [engage], min_severity: debug}
            """);
        var alerts = new[]
        {
            TestAlerts.Flow(0),                                  // notice, network, flow, store
            TestAlerts.Flow(1, score: Scores.Error),             // error, network, flow, store
            TestAlerts.Host(2, AlertAction.Engage),              // warning, security, host
            TestAlerts.Host(3, AlertAction.Release),
            TestAlerts.Flow(4, score: 5),                        // info: below ntopng's default minimum (notice)
        };
        var h = Harness.Create(Dir, yaml);
        await using (h)
        {
            await h.DeliverAllAsync(alerts);
            Assert.Equal(5, h.Stats("everything").Delivered);
            Assert.Equal(3, h.Stats("warnings").Delivered);
            Assert.Equal(2, h.Stats("hosts").Delivered);
            Assert.Equal(2, h.Stats("security").Delivered);
            Assert.Equal(2, h.Stats("scans").Delivered);
            Assert.Equal(1, h.Stats("engages").Delivered);
        }
    }

    [Fact]
    public async Task Silencing_sends_the_same_alert_on_the_same_entity_once_per_window_of_alert_time()
    {
        var yaml = Yaml("""
              quiet: {endpoint: quiet_hook, min_severity: debug, silence_duplicates: 10m}
              loud: {endpoint: hook, min_severity: debug}
            """, $"""
              quiet_hook:
                type: webhook
                url: {Receiver.Url("/quiet")}
                batch_delay: 0
            """);
        Alert Refused(int n, long at, string cli) => TestAlerts.Flow(n, cliIp: cli) is var a ? Retimed(a, at) : a;
        var alerts = new[]
        {
            Refused(0, 0, "10.0.0.1"),
            Refused(1, 60, "10.0.0.1"),     // same flow endpoints a minute later: silenced
            Refused(2, 60, "10.0.0.2"),     // another client: a different alert
            Refused(3, 601, "10.0.0.1"),    // after the window: sent again
            TestAlerts.Host(4, AlertAction.Engage),
            TestAlerts.Host(5, AlertAction.Release),   // a release is never silenced by its engage
        };
        var h = Harness.Create(Dir, yaml);
        await using (h)
        {
            await h.DeliverAllAsync(alerts);
            Assert.Equal(5, h.Stats("quiet").Delivered);
            Assert.Equal(6, h.Stats("loud").Delivered);
        }
        Assert.Equal([0, 2, 3, 4, 5], TestAlerts.Numbers(Receiver.Accepted.Where(r => r.Path == "/quiet")));

        static Alert Retimed(Alert a, long offset)
        {
            a.Tstamp = TestAlerts.BaseTime + offset;
            a.TstampEnd = TestAlerts.BaseTime + offset;
            return a;
        }
    }

    [Fact]
    public async Task A_queue_overflow_raises_a_system_alert_for_the_other_recipients_only()
    {
        var yaml = Yaml("""
              small: {endpoint: down, queue_size: 5, min_severity: debug}
              ops: {endpoint: hook, entities: [system], categories: [internals]}
            """);
        var h = Harness.Create(Dir, yaml);
        var raised = new ConcurrentQueue<Alert>();
        await using (h)
        {
            h.Dispatcher.SystemAlertRaised += raised.Enqueue;
            h.Publish(Enumerable.Range(0, 20).Select(i => TestAlerts.Flow(i)));
            await h.StartAsync();
            await Receiver.WaitAsync(r => r.Count >= 1, TimeSpan.FromSeconds(10));
            // More overflow within the interval is counted into the next alert, not raised at once.
            h.Publish(Enumerable.Range(20, 3).Select(i => TestAlerts.Flow(i)));
            await h.Writer.CompleteAsync();
            await Receiver.WaitAsync(r => r.Count >= 2, TimeSpan.FromSeconds(10));

            var small = h.Stats("small");
            Assert.Equal(5, small.Queued);
            Assert.Equal(18, small.Dropped);
        }
        // The newest five; or, when the last three came while the first five kept were being sent, those five (in flight, never dropped).
        var kept = NumbersQueued("small");
        Assert.True(kept.SequenceEqual(Enumerable.Range(18, 5)) || kept.SequenceEqual(Enumerable.Range(15, 5)), $"kept {string.Join(", ", kept)}");
        var overflowAlerts = Receiver.Accepted.SelectMany(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("alerts").EnumerateArray()).ToList();
        Assert.Equal(2, overflowAlerts.Count);
        Assert.All(overflowAlerts, a =>
        {
            Assert.Equal(4099, a.GetProperty("alert_id").GetInt32());
            Assert.Equal((int)AlertEntity.System, a.GetProperty("entity_id").GetInt32());
            Assert.Equal("small", a.GetProperty("entity_val").GetString());
            Assert.Equal((int)AlertCategory.Internals, a.GetProperty("alert_category").GetInt32());
        });
        var counts = overflowAlerts.Select(a => JsonDocument.Parse(a.GetProperty("json").GetString()!).RootElement.GetProperty("dropped").GetInt32()).ToList();
        Assert.Equal(18, counts.Sum());
        Assert.Equal([15, 3], counts);
        Assert.Equal(2, raised.Count);
    }

    [Fact]
    public async Task Dead_letters_dropped_beyond_the_bound_raise_the_dropped_alerts_system_alert()
    {
        // Two dead letters already fill the bound of a queue of size 2.
        using (var queue = NotificationQueue.Open(Dir.File("tocsin.db")))
        {
            var q = queue.Register("picky", 2);
            queue.Enqueue([.. Enumerable.Range(0, 2).Select(i => new QueueEntry(q, "TCP Connection Refused", Notification.FromAlert(TestAlerts.Flow(i)).Json, 0))]);
            foreach (var n in queue.Peek(q, 2))
                queue.DeadLetter(q, n, FailureKind.ClientError, "HTTP 400", DateTimeOffset.UtcNow);
        }
        Receiver.Respond = (r, _) => r.Path == "/picky" ? new Reply(400, "cannot parse") : Reply.Ok;
        var yaml = Yaml("""
              picky: {endpoint: picky_hook, queue_size: 2, entities: [flow]}
              ops: {endpoint: hook, entities: [system], categories: [internals]}
            """, $"""
              picky_hook:
                type: webhook
                url: {Receiver.Url("/picky")}
                batch_delay: 0
            """);
        var raised = new ConcurrentQueue<Alert>();
        var h = Harness.Create(Dir, yaml);
        await using (h)
        {
            h.Dispatcher.SystemAlertRaised += raised.Enqueue;
            await h.DeliverAllAsync(Enumerable.Range(2, 2).Select(i => TestAlerts.Flow(i)));
            var picky = h.Stats("picky");
            Assert.Equal(4, picky.Failed);
            Assert.Equal(2, picky.DeadLetters);
            Assert.Equal(2, picky.Dropped);
        }
        var reports = Receiver.Accepted.Where(r => r.Path == "/hook")
            .SelectMany(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("alerts").EnumerateArray()).ToList();
        Assert.NotEmpty(reports);
        Assert.All(reports, a =>
        {
            Assert.Equal(4099, a.GetProperty("alert_id").GetInt32());
            Assert.Equal("picky", a.GetProperty("entity_val").GetString());
            Assert.Contains("dead letter", a.GetProperty("message").GetString(), StringComparison.Ordinal);
        });
        var json = reports.Select(a => JsonDocument.Parse(a.GetProperty("json").GetString()!).RootElement).ToList();
        Assert.Equal(2, json.Sum(j => j.GetProperty("dropped_dead_letters").GetInt32()));
        Assert.All(json, j => Assert.Equal(0, j.GetProperty("dropped_queued").GetInt32()));
        Assert.Equal(reports.Count, raised.Count);
    }

    [Fact]
    public async Task A_commit_the_database_refuses_for_a_while_is_retried_and_loses_nothing()
    {
        var yaml = Yaml("  held: {endpoint: down, min_severity: debug}");
        // A short busy timeout: the locked database fails the commit within a second instead of waiting it out.
        var h = Harness.Create(Dir, yaml, busyTimeout: TimeSpan.FromMilliseconds(100));
        await using (h)
        {
            await h.StartAsync();
            using (var other = new SqliteConnection($"Data Source={Dir.File("tocsin.db")};Pooling=False"))
            {
                other.Open();
                using (var exclusive = other.CreateCommand())
                {
                    exclusive.CommandText = "BEGIN EXCLUSIVE";
                    exclusive.ExecuteNonQuery();
                }
                h.Publish(Enumerable.Range(0, 50).Select(i => TestAlerts.Flow(i)));
                var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
                while (!h.Logs.Lines.Any(l => l.Contains("kept, retrying in", StringComparison.Ordinal)))
                {
                    Assert.True(DateTime.UtcNow < deadline, "no failed commit was logged:\n" + h.Logs.All);
                    await Task.Delay(20);
                }
            }
            // The other program is gone (its transaction rolled back): the kept alerts go in.
            await h.Writer.CompleteAsync();
            Assert.Equal(50, h.Writer.Accepted);
        }
        Assert.Equal(Enumerable.Range(0, 50), NumbersQueued("held"));
        Assert.Contains(h.Logs.Lines, l => l.Contains("database is locked", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_alert_published_before_completion_is_committed()
    {
        var yaml = Yaml("  held: {endpoint: down, min_severity: debug}");
        var h = await Harness.StartAsync(Dir, yaml);
        await using (h)
        {
            h.Publish(Enumerable.Range(0, 5000).Select(i => TestAlerts.Flow(i)));
            await h.Writer.CompleteAsync();
            Assert.Equal(5000, h.Writer.Accepted);
        }
        // Committed: another process sees them all.
        Assert.Equal(5000, NotificationQueue.ReadStats(Dir.File("tocsin.db")).Single().Queued);
    }
}
