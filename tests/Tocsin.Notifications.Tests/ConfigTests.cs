using Tocsin.Alerts;
using Tocsin.Config;
using Tocsin.Notifications.Endpoints;
using Tocsin.Testing;

namespace Tocsin.Notifications.Tests;

public sealed class ConfigTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public ConfigTests()
    {
        Directory.CreateDirectory(dir.File("scripts"));
        var script = dir.File("scripts/block.sh");
        File.WriteAllText(script, "#!/bin/sh\n");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserExecute);
    }

    public void Dispose() => dir.Dispose();

    private IReadOnlyList<ConfigError> Errors(string yaml) => Assert.Throws<ConfigException>(() => Harness.Config(dir, yaml)).Errors;

    [Fact]
    public void Reads_every_endpoint_type_and_recipient_filter()
    {
        Environment.SetEnvironmentVariable("TOCSIN_TEST_CFG_PASSWORD", "pa55");
        var config = Harness.Config(dir, """
            endpoints:
              hook:
                type: webhook
                url: https://hooks.example.com/tocsin
                username: tocsin
                password: ${TOCSIN_TEST_CFG_PASSWORD}
                batch_size: 50
                rate_limit: 20/s
              siem:
                type: syslog
                transport: tcp
                host: siem.example.com
                port: 6514
                format: ecs
                facility: local4
              responder:
                type: shell
                script: block.sh
            recipients:
              soc:
                endpoint: hook
                min_severity: warning
                categories: [security, network]
                entities: [host, flow]
                alert_types: [syn_scan, flow_alert_tcp_connection_refused]
                actions: [engage, store]
                silence_duplicates: 1h
                queue_size: 5000
              all_to_siem: {endpoint: siem}
              blocker:
                endpoint: responder
                args: [--reason, tocsin]
                run_on: engage
            """);
        var hook = config.Endpoints.Single(e => e.Name == "hook");
        Assert.IsType<WebhookEndpointType>(hook.Type);
        Assert.Equal(new Uri("https://hooks.example.com/tocsin"), hook.Parameters.Get(WebhookEndpointType.Url));
        Assert.Equal("pa55", hook.Parameters.Get(WebhookEndpointType.Password));
        Assert.Equal(50, hook.Delivery.BatchSize);
        Assert.Equal(new RateLimit(20, TimeSpan.FromSeconds(1)), hook.Delivery.RateLimit);
        Assert.Equal(TimeSpan.FromSeconds(5), hook.Delivery.Timeout);

        var siem = config.Endpoints.Single(e => e.Name == "siem");
        Assert.Equal(6514, siem.Parameters.Get(SyslogEndpointType.Port));
        Assert.Equal("ecs", siem.Parameters.Get(SyslogEndpointType.Format));
        Assert.Equal(20, SyslogEndpointType.ParseFacility(siem.Parameters.Get(SyslogEndpointType.Facility)!));
        Assert.Equal(100, siem.Delivery.BatchSize);

        var responder = config.Endpoints.Single(e => e.Name == "responder");
        Assert.Equal(dir.File("scripts"), responder.Parameters.Get(ShellEndpointType.ScriptsDir));

        var soc = config.FindRecipient("soc")!;
        Assert.Equal(Severity.Warning, soc.Filter.MinSeverity);
        Assert.Equal([AlertCategory.Security, AlertCategory.Network], soc.Filter.Categories!.Order());
        Assert.Equal([AlertEntity.Host, AlertEntity.Flow], soc.Filter.Entities!.Order());
        Assert.Equal([(AlertTypeSpace.Flow, 20), (AlertTypeSpace.Host, 5)], soc.Filter.AlertTypes!.Order());
        Assert.Equal([AlertAction.Engage, AlertAction.Store], soc.Filter.Actions.Order());
        Assert.Equal(TimeSpan.FromHours(1), soc.Filter.SilenceDuplicates);
        Assert.Equal(5000, soc.QueueSize);

        var all = config.FindRecipient("all_to_siem")!;
        Assert.Equal(Severity.Notice, all.Filter.MinSeverity);
        Assert.Null(all.Filter.Categories);
        Assert.Equal(RecipientFilter.AllActions, all.Filter.Actions);
        Assert.Equal(TimeSpan.Zero, all.Filter.SilenceDuplicates);
        Assert.Equal(RecipientConfig.DefaultQueueSize, all.QueueSize);

        var blocker = config.FindRecipient("blocker")!;
        Assert.Equal(["--reason", "tocsin"], blocker.Parameters.Get(ShellEndpointType.Args));
        Assert.False(blocker.Accepts(TestAlerts.Host(1, AlertAction.Release)));
        Assert.True(blocker.Accepts(TestAlerts.Host(1, AlertAction.Engage)));
    }

    [Fact]
    public void Every_problem_is_reported_at_once_with_file_line_column_and_key()
    {
        var errors = Errors("""
            endpoints:
              hook:
                type: webhook
                url: ftp://example.com/x
                batch_size: 5000
                urll: typo
              nameless:
                type: pager
              siem:
                type: syslog
                port: 70000
                transport: unix
              broken: {url: http://example.com}
              good: {type: webhook, url: http://example.com}
            recipients:
              soc:
                endpoint: nowhere
              ops:
                endpoint: good
                min_severity: loud
                categories: [security, spam]
                alert_types: [no_such_alert]
                actions: [explode]
                queue_size: 0
                colour: red
            """);
        var file = dir.File("tocsin.yaml");
        Assert.All(errors, e => Assert.Equal(file, e.File));
        string[] expected =
        [
            "4:10: endpoints.hook.url: scheme must be http or https, got 'ftp'",
            "5:17: endpoints.hook.batch_size: must be between 1 and 1000, got 5000",
            "6:5: endpoints.hook.urll: unknown key (expected one of: type, url, shared_secret, username, password, signing_key, headers, batch_size, batch_delay, timeout, rate_limit, retry_initial, retry_max)",
            "8:11: endpoints.nameless.type: unknown endpoint type 'pager' (shell, syslog, webhook)",
            "11:11: endpoints.siem.port: must be between 1 and 65535, got 70000",
            "13:3: endpoints.broken.type: required (shell, syslog, webhook)",
            "17:15: recipients.soc.endpoint: unknown endpoint 'nowhere' (defined: broken, good, hook, nameless, siem)",
            "20:19: recipients.ops.min_severity: unknown severity 'loud' (none, debug, info, notice, warning, error, critical, alert, emergency)",
            "21:28: recipients.ops.categories: unknown category 'spam' (other, security, internals, network, system, ids_ips)",
            "22:19: recipients.ops.alert_types: unknown alert type 'no_such_alert' (give a name such as syn_scan or flow_alert_tcp_connection_refused; see `tocsin checks list`)",
            "23:15: recipients.ops.actions: unknown action 'explode' (engage, release, store)",
            "24:17: recipients.ops.queue_size: must be between 1 and 10000000, got 0",
            "25:5: recipients.ops.colour: unknown key (expected one of: endpoint, min_severity, categories, entities, alert_types, actions, silence_duplicates, queue_size)",
        ];
        Assert.Equal(expected, errors.Select(e => $"{e.Line}:{e.Column}: {e.Path}: {e.Message}"));
    }

    [Fact]
    public void Cross_parameter_rules_of_each_type_are_checked()
    {
        var errors = Errors("""
            endpoints:
              hook:
                type: webhook
                url: https://user:pw@example.com/
                username: a
                headers: {Content-Type: text/plain, Authorization: Bearer x}
                retry_initial: 10m
                retry_max: 1m
              local:
                type: syslog
                transport: unix
                host: 10.0.0.1
              remote:
                type: syslog
                transport: udp
                framing: lf
                socket: /dev/log
            """);
        var messages = errors.Select(e => $"{e.Path}: {e.Message}").ToList();
        Assert.Contains("endpoints.hook.headers: Content-Type is set by Tocsin", messages);
        Assert.Contains("endpoints.hook.headers: Authorization conflicts with username/password", messages);
        Assert.Contains("endpoints.hook.url: put credentials in username and password, not in the URL", messages);
        Assert.Contains("endpoints.hook.retry_initial: must not be longer than retry_max", messages);
        Assert.Contains("endpoints.local.host: host does not apply to the unix transport (give socket)", messages);
        Assert.Contains("endpoints.remote.framing: framing applies to the tcp transport only", messages);
        Assert.Contains("endpoints.remote.socket: socket applies to the unix transport only (this one is udp)", messages);
        Assert.DoesNotContain(errors, e => e.Message.Contains("pw@", StringComparison.Ordinal));
    }

    [Fact]
    public void Environment_variables_expand_in_scalars_lists_and_mappings()
    {
        Environment.SetEnvironmentVariable("TOCSIN_TEST_CFG_TEAM", "netops");
        Environment.SetEnvironmentVariable("TOCSIN_TEST_CFG_ARG", "--fast");
        var config = Harness.Config(dir, """
            endpoints:
              hook:
                type: webhook
                url: https://example.com/${TOCSIN_TEST_CFG_TEAM}
                shared_secret: literal $${NOT_A_VARIABLE}
                headers: {X-Team: "${TOCSIN_TEST_CFG_TEAM}"}
              responder: {type: shell, script: block.sh}
            recipients:
              blocker: {endpoint: responder, args: ["${TOCSIN_TEST_CFG_ARG}", plain]}
            """);
        var hook = config.Endpoints.Single(e => e.Name == "hook").Parameters;
        Assert.Equal("https://example.com/netops", hook.Get(WebhookEndpointType.Url)!.ToString());
        Assert.Equal("literal ${NOT_A_VARIABLE}", hook.Get(WebhookEndpointType.SharedSecret));
        Assert.Equal([KeyValuePair.Create("X-Team", "netops")], hook.Get(WebhookEndpointType.Headers));
        Assert.Equal(["--fast", "plain"], config.FindRecipient("blocker")!.Parameters.Get(ShellEndpointType.Args));
    }

    [Fact]
    public void An_unset_environment_variable_is_named_and_located()
    {
        var error = Assert.Single(Errors("""
            endpoints:
              hook:
                type: webhook
                url: https://example.com/
                password: ${TOCSIN_TEST_CFG_NEVER_SET}
            """));
        Assert.Equal((5, "endpoints.hook.password", "environment variable TOCSIN_TEST_CFG_NEVER_SET is not set"), (error.Line, error.Path, error.Message));
    }

    [Theory]
    [InlineData("250ms", 250, "250ms")]
    [InlineData("90", 90_000, "90s")]
    [InlineData("1.5m", 90_000, "90s")]
    [InlineData("60m", 3_600_000, "1h")]
    [InlineData("2d", 172_800_000, "2d")]
    public void Durations_read_and_print_in_the_largest_whole_unit(string text, long milliseconds, string printed)
    {
        Assert.True(Durations.TryParse(text, out var d, out _));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), d);
        Assert.Equal(printed, Durations.Format(d));
        Assert.False(Durations.TryParse("5 parsecs", out _, out var error));
        Assert.Equal("expected a duration such as 30s, 5m, 2h or 365d, got '5 parsecs'", error);
    }

    [Theory]
    [InlineData("20/s", 20.0)]
    [InlineData("120/m", 2.0)]
    [InlineData("3600/h", 1.0)]
    public void Rates_read_as_tokens_per_second(string text, double perSecond)
    {
        Assert.True(RateLimit.TryParse(text, out var rate));
        Assert.Equal(perSecond, rate.PerSecond, 6);
        Assert.Equal(text, rate.ToString());
        Assert.False(RateLimit.TryParse("fast", out _));
    }

    [Fact]
    public void A_secret_parameter_never_echoes_its_value_in_an_error()
    {
        var pin = new IntegerParameter("pin", "a secret number", 0, 0, 9999) { Secret = true };
        var error = pin.TryParse(RawValue.Scalar("12ab-secret"), new ParameterContext("."), out _);
        Assert.Equal("expected an integer, got '***'", error);
        var visible = new IntegerParameter("count", "a number", 0, 0, 9999);
        Assert.Equal("expected an integer, got '12ab'", visible.TryParse(RawValue.Scalar("12ab"), new ParameterContext("."), out _));
    }

    [Fact]
    public void Listings_mask_secrets_and_credentials_in_urls()
    {
        var url = new UrlParameter("url", "a url", "https");
        Assert.True(Uri.TryCreate("https://hooks.example.com/services/T0123ABCD/B0456EFGH/abc%2Bdefghijklmnopqrstu?token=abc&v=2", UriKind.Absolute, out var uri));
        Assert.Equal("https://hooks.example.com/***", url.Display(uri));
        Assert.Equal(["services", "T0123ABCD", "B0456EFGH", "abc%2Bdefghijklmnopqrstu", "abc", "abc+defghijklmnopqrstu"], url.SecretStrings(uri));
        Assert.True(Uri.TryCreate("http://[::1]:8080/", UriKind.Absolute, out var plain));
        Assert.Equal("http://[::1]:8080/", url.Display(plain));
        var secretUrl = new UrlParameter("url", "a url", "https") { Secret = true };
        Assert.Equal("https://hooks.example.com/***", secretUrl.Display(uri));
        Assert.Equal("{X-Api-Key: ***}", WebhookEndpointType.Headers.Display(new List<KeyValuePair<string, string>> { new("X-Api-Key", "k") }));
    }

    [Fact]
    public void Query_values_are_secrets_when_their_key_says_so_or_they_are_as_long_as_a_token()
    {
        var url = new UrlParameter("url", "a url", "https");
        Assert.True(Uri.TryCreate("https://h.example.com/hook?api-version=1&format=json&access_token=ab12&Code=Zx9&sig=&id=a1b2c3d4e5",
            UriKind.Absolute, out var uri));
        Assert.Equal(["ab12", "Zx9", "a1b2c3d4e5"], url.SecretStrings(uri));
    }

    [Fact]
    public void Redaction_masks_short_secrets_as_whole_words_only_and_long_ones_anywhere()
    {
        var redactor = new SecretRedactor(["ab12", "0123456789abcdef"]);
        Assert.Equal("token ***, xab12y, ab123, ***.", redactor.Redact("token ab12, xab12y, ab123, ab12."));
        Assert.Equal("key=*** x***y", redactor.Redact("key=0123456789abcdef x0123456789abcdefy"));
    }

    [Fact]
    public async Task Adding_an_endpoint_type_is_declaring_a_class()
    {
        var registry = EndpointRegistry.Discover(typeof(ConfigTests).Assembly);
        Assert.Equal(["pigeon", "shell", "syslog", "webhook"], registry.All.Select(t => t.Key));
        Assert.Equal(["shell", "syslog", "webhook"], EndpointRegistry.BuiltIn.All.Select(t => t.Key));

        var type = registry.Find("pigeon")!;
        var coop = new EndpointConfig("coop", type, ParameterValues.Empty, type.DeliverySettings(ParameterValues.Empty));
        var config = new NotificationConfig([coop], [new RecipientConfig { Name = "loft", Endpoint = coop, Filter = new RecipientFilter { MinSeverity = Severity.None } }]);
        var h = Harness.Create(dir, config);
        await using (h)
        {
            await h.DeliverAllAsync(Enumerable.Range(0, 7).Select(i => TestAlerts.Flow(i)));
        }
        var batches = PigeonEndpointType.Delivered["loft"].ToList();
        Assert.Equal([3, 3, 1], batches.Select(b => b.Count));
        Assert.Equal(Enumerable.Range(0, 7), batches.SelectMany(b => b).Select(n => TestAlerts.Number(System.Text.Json.JsonDocument.Parse(n.Json).RootElement)));
    }
}

/// <summary>
/// An endpoint type that exists only in this test assembly, in one class as a new type would be: it records the
/// batches it is sent per recipient.
/// </summary>
public sealed class PigeonEndpointType : EndpointType
{
    public static readonly System.Collections.Concurrent.ConcurrentDictionary<string, System.Collections.Concurrent.ConcurrentQueue<IReadOnlyList<Notification>>> Delivered = new();

    public override string Key => "pigeon";

    public override string Description => "carrier pigeon (records what it carries)";

    public override DeliveryDefaults Defaults { get; } = new() { Settings = new DeliverySettings { BatchSize = 3 }, MaxBatchSize = 3 };

    public override IEndpointSender CreateSender(EndpointContext context) => new Sender(context.RecipientName);

    private sealed class Sender(string recipient) : IEndpointSender
    {
        public string Destination => "coop:" + recipient;

        public Task<DeliveryResult> SendAsync(IReadOnlyList<Notification> batch, CancellationToken cancellation)
        {
            Delivered.GetOrAdd(recipient, _ => new()).Enqueue(batch);
            return Task.FromResult(DeliveryResult.Delivered($"{batch.Count} carried"));
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
