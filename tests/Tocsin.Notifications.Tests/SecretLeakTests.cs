using System.Text;
using Tocsin.Cli.Tests;
using Tocsin.Testing;

namespace Tocsin.Notifications.Tests;

/// <summary>
/// For every endpoint type: with each of its secret parameters set to a recognisable value (and tokens in a URL's
/// path and query) and a destination that fails while echoing what it received, no secret shows in logs, delivery
/// errors, statistics, the database, `recipients list`, `recipients test` or errors about invalid secret values.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SecretLeakTests : ReceiverTest
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        // The service answers with everything it was sent, as careless services do: first as an auth failure, then a rejection.
        Receiver.Respond = (r, n) => new Reply(n == 0 ? 401 : 400,
            $"{r.Text} path={r.Path} auth={r.Header("Authorization")} key={r.Header("X-Api-Key")} sig={r.Header("X-Tocsin-Signature")}");
    }

    /// <summary>
    /// How to make each endpoint type fail while holding secrets, and an invalid endpoint whose errors concern secret
    /// values. A new type needs an entry here.
    /// </summary>
    private sealed record Fixture(string Endpoint, string Recipient, string[] Secrets, string Invalid);

    private static string Secret(string name) => $"S3cr3t-{name}-{Guid.NewGuid():N}";

    private Fixture For(string type)
    {
        switch (type)
        {
            case "webhook":
                string shared = Secret("shared"), password = Secret("password"), key = Secret("signing"), header = Secret("header");
                // A token in the URL's path (as Slack's and Discord's hooks) and one in its query.
                string pathToken = Secret("path"), queryToken = Secret("query");
                Environment.SetEnvironmentVariable("TOCSIN_LEAK_PASSWORD", password);
                return new Fixture($"""
                        type: webhook
                        url: {Receiver.Url($"/services/T0123ABCD/B0456EFGH/{pathToken}?api-version=1&token={queryToken}")}
                        shared_secret: {shared}
                        username: tocsin
                        password: ${"{"}TOCSIN_LEAK_PASSWORD{"}"}
                        signing_key: {key}
                        headers: {"{"}X-Api-Key: {header}{"}"}
                        batch_delay: 0
                        retry_initial: 20ms
                        retry_max: 50ms
                    """, "", [shared, password, key, header, Convert.ToBase64String(Encoding.UTF8.GetBytes($"tocsin:{password}")), pathToken, queryToken],
                    // No scheme, a list for a single value, a single value for a mapping.
                    $"""
                        type: webhook
                        url: hooks.example.com/services/T0123ABCD/B0456EFGH/{pathToken}?token={queryToken}
                        shared_secret: [{shared}]
                        headers: {header}
                    """);
            case "shell":
                string token = Secret("token");
                Directory.CreateDirectory(Dir.File("scripts"));
                var script = Dir.File("scripts/leaky.sh");
                // A script that prints its whole environment and arguments to stderr, then fails.
                File.WriteAllText(script, "#!/bin/sh\nenv >&2\necho \"$@\" >&2\nexit 1\n");
                File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserExecute);
                return new Fixture($"""
                        type: shell
                        script: leaky.sh
                        env: {"{"}API_TOKEN: {token}{"}"}
                        retry_initial: 20ms
                        retry_max: 50ms
                    """, "    args: [--verbose]", [token], $"""
                        type: shell
                        env: {token}
                    """);
            case "syslog":
                // No secret parameters: the fixture still runs every check, so one added later is caught.
                return new Fixture($"""
                        type: syslog
                        transport: tcp
                        port: {FreePort.Tcp()}
                        retry_initial: 20ms
                        retry_max: 50ms
                    """, "", [], """
                        type: syslog
                        port: 70000
                    """);
            default:
                throw new InvalidOperationException($"endpoint type '{type}' has no secret-leak fixture: add one to {nameof(SecretLeakTests)}");
        }
    }

    public static TheoryData<string> EndpointTypes => [.. EndpointRegistry.BuiltIn.All.Select(t => t.Key)];

    [Theory]
    [MemberData(nameof(EndpointTypes))]
    public async Task No_secret_leaves_the_endpoint(string typeKey)
    {
        var type = EndpointRegistry.BuiltIn.Find(typeKey)!;
        var fixture = For(typeKey);
        var secretParameters = type.EndpointParameters.Concat(type.RecipientParameters).Where(p => p.Secret).ToList();
        Assert.All(secretParameters, p => Assert.Contains($"{p.Name}:", fixture.Endpoint + fixture.Recipient, StringComparison.Ordinal));
        Assert.Equal(secretParameters.Count == 0, fixture.Secrets.Length == 0);

        var yaml = $"""
            endpoints:
              target:
            {fixture.Endpoint}
            recipients:
              victim:
                endpoint: target
                min_severity: debug
            {fixture.Recipient}
            """;
        var configPath = Dir.File("tocsin.yaml");
        var seen = new StringBuilder();

        // Delivery through the dispatcher: failures are logged, counted and kept with their reasons.
        var h = Harness.Create(Dir, yaml);
        await using (h)
        {
            h.Publish(Enumerable.Range(0, 3).Select(i => TestAlerts.Flow(i)));
            await h.StartAsync();
            await h.CompleteAndDrainAsync(TimeSpan.FromSeconds(2));
            var stats = h.Stats("victim");
            Assert.NotNull(stats.LastError);
            seen.AppendLine(stats.LastError);
            seen.AppendLine(h.Logs.All);
        }
        Assert.Contains(h.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal));

        // One send, as `recipients test` and the dispatcher make it.
        var (sender, redactor) = EndpointContract.Sender(Harness.Config(Dir, yaml), "victim");
        await using (sender)
            seen.AppendLine((await NotificationDispatcher.SendAsync(sender, redactor, [Notification.FromAlert(TestAlerts.Flow(9))], CancellationToken.None)).ToString());

        foreach (var args in new[] { new[] { "recipients", "list", "-c", configPath }, ["recipients", "list", "-c", configPath, "-f", "json"], ["recipients", "test", "victim", "-c", configPath] })
        {
            var (_, output, error) = CliRunner.Run(args);
            Assert.Contains("victim", output, StringComparison.Ordinal);
            seen.AppendLine(output).AppendLine(error);
        }

        // Config errors in the same endpoint, of its secret values among others.
        File.WriteAllText(configPath, yaml.Replace(fixture.Endpoint, fixture.Invalid));
        var (exit, _, configError) = CliRunner.Run("recipients", "list", "-c", configPath);
        Assert.Equal(1, exit);
        Assert.All(fixture.Invalid.Split('\n').Skip(1).Select(l => l.Trim().Split(':')[0]).Where(k => k.Length > 0),
            k => Assert.Contains($"endpoints.target.{k}:", configError, StringComparison.Ordinal));
        seen.AppendLine(configError);

        // The database keeps alerts and reasons, never secrets.
        foreach (var file in Directory.GetFiles(Dir.Path, "tocsin.db*"))
            seen.AppendLine(Encoding.UTF8.GetString(File.ReadAllBytes(file)));

        EndpointContract.AssertNoSecrets(fixture.Secrets, seen.ToString(), $"the {typeKey} endpoint's output");
        if (typeKey == "webhook")
        {
            // The service did get them: the echo is what was redacted.
            var received = string.Join("\n", Receiver.Requests.Select(r => r.Text + r.Path + r.Header("Authorization") + r.Header("X-Api-Key")));
            Assert.All(fixture.Secrets.Where((_, i) => i is not (1 or 2)), s => Assert.Contains(s, received, StringComparison.Ordinal));
            Assert.Contains("sharedsecret\":\"***", seen.ToString(), StringComparison.Ordinal);
        }
    }
}
