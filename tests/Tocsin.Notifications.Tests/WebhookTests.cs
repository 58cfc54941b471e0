using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Tocsin.Alerts;
using Tocsin.Testing;

namespace Tocsin.Notifications.Tests;

public sealed class WebhookTests : ReceiverTest
{
    private string Yaml(string extra = "", string recipientExtra = "") => $"""
        endpoints:
          hook:
            type: webhook
            url: {Receiver.Url("/ntopng-webhook")}
            batch_delay: 0
            timeout: 2s
            retry_initial: 20ms
            retry_max: 100ms
        {extra}
        recipients:
          soc:
            endpoint: hook
            min_severity: debug
        {recipientExtra}
        """;

    private const string Anchor = """
            shared_secret: anchor_secret
            username: anchor
            password: anchorpw
        """;

    [Fact]
    public async Task Posts_ntopngs_envelope_with_each_alert_as_its_notification_json_and_basic_auth()
    {
        var alerts = new[] { TestAlerts.Flow(1), TestAlerts.Host(2, AlertAction.Engage), TestAlerts.Host(3, AlertAction.Release) };
        await using (var h = Harness.Create(Dir, Yaml(Anchor)))
        {
            await h.DeliverAllAsync(alerts);
        }
        var request = Assert.Single(Receiver.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/ntopng-webhook", request.Path);
        // The header ntopng 5.2.1 sent for anchor/anchorpw (spec/ntopng-notification-samples/webhook/*.headers.txt).
        var sample = File.ReadAllLines(Path.Combine(SharedData.SpecDir, "ntopng-notification-samples", "webhook", "synscan_all_post1.headers.txt"));
        Assert.Contains($"Authorization: {request.Header("Authorization")}", sample);
        Assert.Equal("application/json", request.Header("Content-Type"));

        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal(["version", "sharedsecret", "alerts"], body.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("0.2", body.RootElement.GetProperty("version").GetString());
        Assert.Equal("anchor_secret", body.RootElement.GetProperty("sharedsecret").GetString());
        Assert.Equal(alerts.Select(AlertJson.ToJson), body.RootElement.GetProperty("alerts").EnumerateArray().Select(a => a.GetRawText()));
    }

    [Fact]
    public async Task Alert_objects_share_ntopngs_keys_and_value_types_for_flows_and_hosts()
    {
        await using (var h = Harness.Create(Dir, Yaml()))
        {
            await h.DeliverAllAsync([TestAlerts.Flow(1), TestAlerts.Host(2, AlertAction.Engage)]);
        }
        var ours = JsonDocument.Parse(Assert.Single(Receiver.Requests).Body).RootElement.GetProperty("alerts").EnumerateArray().ToList();
        var samples = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(SharedData.SpecDir, "ntopng-notification-samples", "webhook", "synscan_all_post2.body.json")))
            .RootElement.GetProperty("alerts").EnumerateArray().ToList();
        var flowSample = samples.First(a => a.GetProperty("entity_id").GetInt32() == 4);
        var hostSample = samples.First(a => a.GetProperty("entity_id").GetInt32() == 1);
        string[] common = ["ifid", "action", "alert_id", "score", "entity_id", "entity_val", "tstamp", "json", "vlan_id", "ip_version"];
        string[] flow = [.. common, "is_flow_alert", "first_seen", "proto", "cli_ip", "cli_port", "srv_ip", "srv_port", "cli_localhost", "srv_localhost",
            "is_cli_attacker", "is_cli_victim", "is_srv_attacker", "is_srv_victim", "cli2srv_bytes", "cli2srv_packets", "srv2cli_bytes", "srv2cli_packets",
            "l7_proto", "l7_master_proto", "l7_cat", "proto.ndpi"];
        string[] host = [.. common, "ip", "name", "subtype", "granularity", "tstamp_end", "is_attacker", "is_victim", "is_client", "is_server"];
        foreach (var (sample, mine, keys) in new[] { (flowSample, ours[0], flow), (hostSample, ours[1], host) })
        {
            foreach (var key in keys)
            {
                Assert.True(mine.TryGetProperty(key, out var value), $"missing {key}");
                Assert.True(Kind(sample.GetProperty(key)) == Kind(value), $"{key}: ntopng sends {sample.GetProperty(key).ValueKind}, Tocsin {value.ValueKind}");
            }
        }
        // "json" is a string holding a JSON object, as ntopng's.
        Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(ours[0].GetProperty("json").GetString()!).RootElement.ValueKind);

        static JsonValueKind Kind(JsonElement e) => e.ValueKind is JsonValueKind.True or JsonValueKind.False ? JsonValueKind.True : e.ValueKind;
    }

    [Fact]
    public async Task Without_secret_or_credentials_sends_neither()
    {
        await using (var h = await Harness.StartAsync(Dir, Yaml()))
        {
            h.Publish([TestAlerts.Flow(1)]);
            Assert.True(await h.CompleteAndDrainAsync(TimeSpan.FromSeconds(10)));
        }
        var request = Assert.Single(Receiver.Requests);
        Assert.Null(request.Header("Authorization"));
        Assert.Null(request.Header(Endpoints.WebhookEndpointType.SignatureHeader));
        Assert.Equal(["version", "alerts"], JsonDocument.Parse(request.Body).RootElement.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Sends_batches_of_the_configured_size_in_queue_order()
    {
        var h = Harness.Create(Dir, Yaml());
        await using (h)
        {
            // Published before the start: the writer commits all 25 in its first pass, so the batches are deterministic.
            await h.DeliverAllAsync(Enumerable.Range(0, 25).Select(i => TestAlerts.Flow(i)));
            Assert.Equal(25, h.Stats("soc").Delivered);
        }
        Assert.Equal([10, 10, 5], Receiver.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("alerts").GetArrayLength()));
        Assert.Equal(Enumerable.Range(0, 25), TestAlerts.Numbers(Receiver.Requests));
    }

    [Fact]
    public async Task A_partial_batch_waits_for_the_batch_delay_then_goes()
    {
        var yaml = Yaml().Replace("batch_delay: 0", "batch_delay: 400ms");
        await using var h = await Harness.StartAsync(Dir, yaml);
        var published = DateTimeOffset.UtcNow;
        h.Publish([TestAlerts.Flow(1), TestAlerts.Flow(2)]);
        await Receiver.WaitAsync(r => r.Count == 1, TimeSpan.FromSeconds(5));
        var waited = Receiver.Requests.Single().At - published;
        Assert.InRange(waited.TotalMilliseconds, 350, 3000);
        Assert.Equal([1, 2], TestAlerts.Numbers(Receiver.Requests));
    }

    [Fact]
    public async Task Adds_extra_headers_and_an_hmac_signature_of_the_exact_body()
    {
        const string key = "k3y-for-signing";
        Environment.SetEnvironmentVariable("TOCSIN_TEST_WEBHOOK_TOKEN", "token-from-env");
        var yaml = Yaml($"""
                signing_key: {key}
                headers:
                  X-Team: netops
                  X-Api-Key: ${"{"}TOCSIN_TEST_WEBHOOK_TOKEN{"}"}
            """);
        await using (var h = Harness.Create(Dir, yaml))
        {
            await h.DeliverAllAsync([TestAlerts.Flow(1), TestAlerts.Flow(2)]);
        }
        var request = Assert.Single(Receiver.Requests);
        Assert.Equal("netops", request.Header("X-Team"));
        Assert.Equal("token-from-env", request.Header("X-Api-Key"));
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), request.Body));
        Assert.Equal(expected, request.Header("X-Tocsin-Signature"));
    }

    [Theory]
    [MemberData(nameof(EndpointContract.StatusCaseNames), MemberType = typeof(EndpointContract))]
    public async Task Classifies_the_services_answer(string name)
    {
        var (sender, redactor) = EndpointContract.Sender(Harness.Config(Dir, Yaml()), "soc");
        await using (sender)
            await EndpointContract.AssertClassifiedAsync(Receiver, sender, redactor, [Notification.FromAlert(TestAlerts.Flow(1))], EndpointContract.Case(name));
    }

    [Fact]
    public async Task A_closed_port_is_a_network_failure_to_retry()
    {
        var port = FreePort.Tcp();
        var yaml = Yaml().Replace(Receiver.Url("/ntopng-webhook"), $"http://127.0.0.1:{port}/hook");
        var (sender, redactor) = EndpointContract.Sender(Harness.Config(Dir, yaml), "soc");
        await using (sender)
        {
            var result = await NotificationDispatcher.SendAsync(sender, redactor, [Notification.FromAlert(TestAlerts.Flow(1))], CancellationToken.None);
            Assert.Equal(DeliveryOutcome.Retry, result.Outcome);
            Assert.Equal(FailureKind.Network, result.Kind);
            Assert.Contains("connection refused", result.Text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Query_parameters_that_are_no_secrets_leave_reasons_intact()
    {
        // The token is redacted from the echo; api-version's 1 is no secret and "HTTP 401" stays whole.
        var yaml = Yaml().Replace(Receiver.Url("/ntopng-webhook"), Receiver.Url("/hook?api-version=1&token=ab12"));
        Receiver.Respond = (r, _) => new Reply(401, $"bad token ab12 for {r.Path}");
        var (sender, redactor) = EndpointContract.Sender(Harness.Config(Dir, yaml), "soc");
        await using (sender)
        {
            var result = await NotificationDispatcher.SendAsync(sender, redactor, [Notification.FromAlert(TestAlerts.Flow(1))], CancellationToken.None);
            Assert.Equal("HTTP 401 Unauthorized: bad token *** for /hook?api-version=1&token=***", result.Text);
        }
    }

    [Fact]
    public async Task Retry_after_header_and_body_set_the_wait_before_the_next_attempt()
    {
        Receiver.Respond = (_, n) => n switch
        {
            0 => new Reply(429, Headers: new Dictionary<string, string> { ["Retry-After"] = "1" }),
            1 => new Reply(429, """{"retry_after":0.6}"""),
            _ => Reply.Ok,
        };
        await using var h = await Harness.StartAsync(Dir, Yaml());
        h.Publish([TestAlerts.Flow(1)]);
        Assert.True(await h.CompleteAndDrainAsync(TimeSpan.FromSeconds(10)));
        var times = Receiver.Requests.Select(r => r.At).ToList();
        Assert.Equal(3, times.Count);
        // retry_initial is 20 ms: only the service's delays explain these gaps.
        Assert.InRange((times[1] - times[0]).TotalSeconds, 0.95, 3);
        Assert.InRange((times[2] - times[1]).TotalSeconds, 0.55, 3);
        var stats = h.Stats("soc");
        Assert.Equal(2, stats.Retries);
        Assert.Equal(1, stats.Delivered);
        Assert.Equal(FailureKind.RateLimited, stats.LastErrorKind);
    }

    [Fact]
    public async Task A_rejected_alert_is_isolated_and_kept_as_a_dead_letter_while_the_others_go_in_order()
    {
        // The service rejects any request carrying alert #7.
        Receiver.Respond = (r, _) => TestAlerts.Numbers([r]).Contains(7) ? new Reply(400, "cannot parse alert") : Reply.Ok;
        var h = Harness.Create(Dir, Yaml());
        await using (h)
        {
            await h.DeliverAllAsync(Enumerable.Range(0, 20).Select(i => TestAlerts.Flow(i)));
            var stats = h.Stats("soc");
            Assert.Equal(19, stats.Delivered);
            Assert.Equal(1, stats.Failed);
            Assert.Equal(1, stats.DeadLetters);
            Assert.Equal(0, stats.Retries);
            Assert.Equal(FailureKind.ClientError, stats.LastErrorKind);
            Assert.Contains("HTTP 400", stats.LastError, StringComparison.Ordinal);
        }
        Assert.Equal(Enumerable.Range(0, 20).Where(i => i != 7), TestAlerts.Numbers(Receiver.Accepted));

        // Requeued once the service is fixed, it is delivered.
        Receiver.Respond = (_, _) => Reply.Ok;
        await using var again = await Harness.StartAsync(Dir, Yaml());
        Assert.Equal(1, again.Queue.Requeue(again.Dispatcher.Lanes.Single().Queue));
        Assert.True(await again.Dispatcher.DrainAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(7, TestAlerts.Numbers(Receiver.Accepted).Last());
    }

    [Fact]
    public async Task After_a_rejected_alert_is_isolated_the_next_alerts_go_in_full_batches()
    {
        Receiver.Respond = (r, _) => TestAlerts.Numbers([r]).Contains(7) ? new Reply(400, "cannot parse alert") : Reply.Ok;
        var h = Harness.Create(Dir, Yaml("    batch_size: 8"));
        await using (h)
        {
            await h.DeliverAllAsync(Enumerable.Range(0, 40).Select(i => TestAlerts.Flow(i)));
            Assert.Equal(39, h.Stats("soc").Delivered);
            Assert.Equal(1, h.Stats("soc").DeadLetters);
        }
        // 0-7 rejected, 0-3 taken, 4-7 rejected, 4-5 taken, 6-7 rejected, 6 taken, 7 alone rejected; then 8 at a time.
        var sizes = Receiver.Requests.Select(r => TestAlerts.Numbers([r]).Count).ToList();
        Assert.Equal([8, 4, 4, 2, 2, 1, 1, 8, 8, 8, 8], sizes);
    }

    [Theory]
    [InlineData(401, FailureKind.Auth)]
    [InlineData(403, FailureKind.Auth)]
    [InlineData(302, FailureKind.Config)]
    [InlineData(404, FailureKind.Config)]
    [InlineData(410, FailureKind.Config)]
    public async Task A_fault_of_the_endpoint_keeps_the_alerts_queued_until_it_is_fixed(int status, FailureKind kind)
    {
        // Wrong credentials or a wrong URL refuse every alert alike: none may become a dead letter.
        Receiver.Respond = (_, n) => n < 3 ? new Reply(status, "no such hook") : Reply.Ok;
        await using var h = await Harness.StartAsync(Dir, Yaml(Anchor));
        h.Publish(Enumerable.Range(0, 5).Select(i => TestAlerts.Flow(i)));
        Assert.True(await h.CompleteAndDrainAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(Enumerable.Range(0, 5), TestAlerts.Numbers(Receiver.Accepted));
        var stats = h.Stats("soc");
        Assert.Equal(3, stats.Retries);
        Assert.Equal(0, stats.Failed);
        Assert.Equal(0, stats.DeadLetters);
        Assert.Equal(kind, stats.LastErrorKind);
        Assert.Contains($"HTTP {status}", stats.LastError, StringComparison.Ordinal);
        Assert.Contains(h.Logs.Lines, l => l.Contains("stay queued until its configuration is fixed", StringComparison.Ordinal));
    }
}
