using Tocsin.Testing;

namespace Tocsin.Notifications.Tests;

public sealed class DispatcherTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    private static string Endpoint(string name, string url, string extra = "") => $"""
          {name}:
            type: webhook
            url: {url}
            batch_delay: 0
            timeout: 2s
            retry_initial: 20ms
            retry_max: 200ms
        {extra}

        """;

    [Fact]
    public async Task An_endpoint_down_for_a_while_then_up_gets_every_alert_in_order()
    {
        int port = FreePort.Tcp();
        var yaml = "endpoints:\n" + Endpoint("hook", $"http://127.0.0.1:{port}/hook") + """
            recipients:
              soc: {endpoint: hook}
            """;
        await using var h = await Harness.StartAsync(dir, yaml);
        h.Publish(Enumerable.Range(0, 120).Select(i => TestAlerts.Flow(i)));
        await h.Writer.CompleteAsync();
        var drain = h.Dispatcher.DrainAsync(TimeSpan.FromSeconds(30));

        // Down: connections refused for a second and a half, with retries backing off meanwhile.
        await Task.Delay(1500);
        Assert.Equal(120, h.Stats("soc").Queued);
        Assert.True(h.Stats("soc").Retries >= 3);
        Assert.Equal(FailureKind.Network, h.Stats("soc").LastErrorKind);

        await using var receiver = await HttpReceiver.StartAsync(port);
        Assert.True(await drain);
        Assert.Equal(Enumerable.Range(0, 120), TestAlerts.Numbers(receiver.Accepted));
        Assert.Equal(120, h.Stats("soc").Delivered);
        Assert.Contains(h.Logs.Lines, l => l.Contains("delivering again after", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Server_errors_and_timeouts_lose_nothing_and_keep_the_order()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        // Every third request fails: a 500, then no answer within the timeout, then a 503.
        receiver.Respond = (_, n) => (n % 9) switch
        {
            2 => new Reply(500),
            5 => new Reply(200, Delay: TimeSpan.FromSeconds(5)),
            8 => new Reply(503),
            _ => Reply.Ok,
        };
        var yaml = "endpoints:\n" + Endpoint("hook", receiver.Url(), "    batch_size: 7").Replace("timeout: 2s", "timeout: 300ms") + """
            recipients:
              soc: {endpoint: hook}
            """;
        await using var h = await Harness.StartAsync(dir, yaml);
        h.Publish(Enumerable.Range(0, 100).Select(i => TestAlerts.Flow(i)));
        Assert.True(await h.CompleteAndDrainAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(Enumerable.Range(0, 100), TestAlerts.Numbers(receiver.Accepted));
        Assert.True(h.Stats("soc").Retries >= 3);
    }

    [Fact]
    public async Task A_slow_recipient_does_not_hold_up_the_others()
    {
        await using var slow = await HttpReceiver.StartAsync();
        await using var fast = await HttpReceiver.StartAsync();
        slow.Respond = (_, _) => new Reply(200, Delay: TimeSpan.FromSeconds(1));
        var yaml = "endpoints:\n" + Endpoint("slow", slow.Url()) + Endpoint("fast", fast.Url()) + """
            recipients:
              tortoise: {endpoint: slow}
              hare: {endpoint: fast}
            """;
        await using var h = await Harness.StartAsync(dir, yaml);
        var started = DateTimeOffset.UtcNow;
        h.Publish(Enumerable.Range(0, 300).Select(i => TestAlerts.Flow(i)));
        await fast.WaitAsync(r => TestAlerts.Numbers(r).Count == 300, TimeSpan.FromSeconds(10));
        Assert.True(DateTimeOffset.UtcNow - started < TimeSpan.FromSeconds(3), "the fast recipient waited for the slow one");
        Assert.True(slow.Accepted.Count <= 3);
        Assert.Equal(Enumerable.Range(0, 300), TestAlerts.Numbers(fast.Accepted));
    }

    [Fact]
    public async Task The_rate_limit_spaces_requests_to_a_destination_after_its_burst()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        var yaml = "endpoints:\n" + Endpoint("hook", receiver.Url(), "    batch_size: 1\n    rate_limit: 10/s") + """
            recipients:
              soc: {endpoint: hook}
            """;
        var h = Harness.Create(dir, yaml);
        await using (h)
        {
            await h.DeliverAllAsync(Enumerable.Range(0, 16).Select(i => TestAlerts.Flow(i)));
        }
        var times = receiver.Accepted.Select(r => r.At).ToList();
        Assert.Equal(16, times.Count);
        // A burst of 10, then one every 100 ms: the last six span at least ~0.5 s.
        Assert.InRange((times[15] - times[9]).TotalMilliseconds, 450, 3000);
        for (int i = 11; i < 16; i++)
            Assert.True((times[i] - times[i - 1]).TotalMilliseconds >= 60, $"request {i} came {(times[i] - times[i - 1]).TotalMilliseconds} ms after the previous one");
    }

    [Fact]
    public async Task A_rate_limited_answer_pauses_every_recipient_of_that_destination()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        receiver.Respond = (_, n) => n == 0 ? new Reply(429, Headers: new Dictionary<string, string> { ["Retry-After"] = "1" }) : Reply.Ok;
        var yaml = "endpoints:\n" + Endpoint("hook", receiver.Url()) + """
            recipients:
              one: {endpoint: hook}
              two: {endpoint: hook}
            """;
        var h = Harness.Create(dir, yaml);
        await using (h)
        {
            await h.DeliverAllAsync(Enumerable.Range(0, 30).Select(i => TestAlerts.Flow(i)));
        }
        var requests = receiver.Requests.OrderBy(r => r.At).ToList();
        var limited = requests[0].At;
        // The other recipient may have had its first request in flight already; after that, nothing for a second.
        var during = requests.Skip(1).Where(r => r.At - limited > TimeSpan.FromMilliseconds(100) && r.At - limited < TimeSpan.FromMilliseconds(900)).ToList();
        Assert.Empty(during);
        Assert.Equal(60, TestAlerts.Numbers(receiver.Accepted).Count);
    }

    [Fact]
    public async Task Without_retry_after_the_backoff_grows_exponentially_with_jitter_up_to_its_cap()
    {
        await using var receiver = await HttpReceiver.StartAsync();
        receiver.Respond = (_, _) => new Reply(503);
        var yaml = "endpoints:\n" + Endpoint("hook", receiver.Url()).Replace("retry_initial: 20ms", "retry_initial: 40ms").Replace("retry_max: 200ms", "retry_max: 320ms") + """
            recipients:
              soc: {endpoint: hook}
            """;
        await using var h = await Harness.StartAsync(dir, yaml);
        h.Publish([TestAlerts.Flow(1)]);
        // Nine attempts (eight waits); a loaded machine only makes them come later.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (receiver.Requests.Count < 9 && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        var times = receiver.Requests.Select(r => r.At).Take(9).ToList();
        var gaps = times.Zip(times.Skip(1), (a, b) => (b - a).TotalMilliseconds).ToList();
        Assert.True(gaps.Count == 8, $"{gaps.Count} retries in 30 s");
        // Wait n lasts between half and all of min(40 ms × 2^(n-1), 320 ms). Load only adds delay, so the lower
        // bounds are exact. Without the cap, waits 6 to 8 would last at least 640, 1280 and 2560 ms: one of them
        // shorter than 640 ms proves the cap, yet leaves room for a loaded machine.
        Assert.True(gaps[0] >= 15, $"first retry after {gaps[0]} ms");
        Assert.True(gaps[2] >= 75, $"third retry after {gaps[2]} ms");
        Assert.All(gaps.Skip(4), g => Assert.True(g >= 150, $"a capped wait of {g} ms"));
        Assert.True(gaps.Skip(5).Min() < 640, $"waits 6 to 8: {string.Join(", ", gaps.Skip(5))} ms");
        Assert.Equal(FailureKind.ServerError, h.Stats("soc").LastErrorKind);
        Assert.Equal(gaps.Count + 1, h.Stats("soc").Retries, tolerance: 1);
    }

    [Fact]
    public void The_backoff_delay_stays_within_half_and_all_of_the_capped_exponential()
    {
        var settings = new DeliverySettings { RetryInitial = TimeSpan.FromSeconds(1), RetryMax = TimeSpan.FromMinutes(5) };
        for (int failures = 1; failures <= 30; failures++)
        {
            double full = Math.Min(Math.Pow(2, failures - 1), 300);
            var samples = Enumerable.Range(0, 50).Select(_ => NotificationDispatcher.BackoffDelay(settings, failures).TotalSeconds).ToList();
            Assert.All(samples, s => Assert.InRange(s, full / 2, full));
            Assert.True(samples.Distinct().Count() > 1, "no jitter");
        }
    }
}
