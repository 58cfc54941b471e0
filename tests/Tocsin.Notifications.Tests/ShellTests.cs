using System.Diagnostics;
using System.Text.Json;
using Tocsin.Alerts;
using Tocsin.Config;
using Tocsin.Testing;

namespace Tocsin.Notifications.Tests;

// Scripts and their modes are POSIX things, as ntopng's shell endpoint (not on Windows).
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ShellTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public ShellTests() => Directory.CreateDirectory(dir.File("scripts"));

    public void Dispose() => dir.Dispose();

    private string Script(string name, string body)
    {
        var path = Path.Combine(dir.File("scripts"), name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private string Yaml(string script, string recipient = "", string endpoint = "") => $"""
        endpoints:
          responder:
            type: shell
            script: {script}
            timeout: 2s
            retry_initial: 20ms
            retry_max: 100ms
        {endpoint}
        recipients:
          blocker:
            endpoint: responder
            min_severity: debug
        {recipient}
        """;

    private async Task<DeliveryResult> RunOnceAsync(string yaml, Alert alert)
    {
        var (sender, redactor) = EndpointContract.Sender(Harness.Config(dir, yaml), "blocker");
        await using (sender)
            return await NotificationDispatcher.SendAsync(sender, redactor, [Notification.FromAlert(alert)], CancellationToken.None);
    }

    [Fact]
    public async Task Alert_data_reaches_stdin_only_and_cannot_run_anything()
    {
        var pwned = dir.File("pwned");
        Script("record.sh", $"cat > \"$1\"\nprintf '%s\\n' \"$@\" > {dir.File("args.txt")}");
        var hostile = $"x\"; touch {pwned}; echo \" $(touch {pwned}2) `touch {pwned}3` ' ; touch {pwned}4 #\nnext line && touch {pwned}5";
        var alert = TestAlerts.Flow(1, message: hostile);
        var yaml = Yaml("record.sh", $"    args: ['{dir.File("stdin.json")}', 'two words', '$(not expanded)']");

        var result = await RunOnceAsync(yaml, alert);

        Assert.True(result.IsDelivered, result.ToString());
        Assert.Equal(AlertJson.ToJson(alert) + "\n", File.ReadAllText(dir.File("stdin.json")));
        Assert.Equal([dir.File("stdin.json"), "two words", "$(not expanded)"], File.ReadAllLines(dir.File("args.txt")));
        Assert.Empty(Directory.GetFiles(dir.Path, "pwned*"));
    }

    [Fact]
    public async Task The_script_gets_a_minimal_environment_plus_its_own_variables()
    {
        Environment.SetEnvironmentVariable("TOCSIN_TEST_OTHER_SECRET", "must-not-be-seen");
        Environment.SetEnvironmentVariable("TOCSIN_TEST_FIREWALL_TOKEN", "given-on-purpose");
        Script("env.sh", $"env > {dir.File("env.txt")}");
        var yaml = Yaml("env.sh", endpoint: "    env:\n      FIREWALL_TOKEN: ${TOCSIN_TEST_FIREWALL_TOKEN}");

        Assert.True((await RunOnceAsync(yaml, TestAlerts.Flow(1))).IsDelivered);

        var env = File.ReadAllLines(dir.File("env.txt"));
        Assert.Contains("TOCSIN_RECIPIENT=blocker", env);
        Assert.Contains("FIREWALL_TOKEN=given-on-purpose", env);
        Assert.Contains(env, l => l.StartsWith("PATH=/usr/local/sbin:", StringComparison.Ordinal));
        Assert.DoesNotContain(env, l => l.Contains("must-not-be-seen", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_hanging_script_and_its_children_are_killed_at_the_timeout()
    {
        var pids = dir.File("pids");
        Script("hang.sh", $"sleep 60 &\necho $! > {pids}\necho $$ >> {pids}\nwait");
        var yaml = Yaml("hang.sh").Replace("timeout: 2s", "timeout: 500ms");
        var clock = Stopwatch.StartNew();

        var result = await RunOnceAsync(yaml, TestAlerts.Flow(1));

        Assert.InRange(clock.Elapsed.TotalSeconds, 0.45, 5);
        Assert.Equal(DeliveryOutcome.Retry, result.Outcome);
        Assert.Equal(FailureKind.Timeout, result.Kind);
        Assert.Contains("killed after 500ms", result.Text, StringComparison.Ordinal);
        var started = File.ReadAllLines(pids).Select(int.Parse).ToList();
        Assert.Equal(2, started.Count);
        foreach (var pid in started)
            Assert.False(Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal), $"process {pid} still runs");
    }

    [Fact]
    public async Task A_non_zero_exit_status_is_a_failure_with_an_excerpt_of_stderr()
    {
        Script("fail.sh", "cat > /dev/null\necho 'firewall said: no such chain' >&2\nexit 3");
        var result = await RunOnceAsync(Yaml("fail.sh"), TestAlerts.Flow(1));
        Assert.Equal(DeliveryOutcome.Failed, result.Outcome);
        Assert.Equal(FailureKind.ClientError, result.Kind);
        Assert.Equal("exit status 3: firewall said: no such chain", result.Text);
    }

    [Fact]
    public async Task A_script_that_cannot_start_keeps_the_alerts_queued_until_it_is_fixed()
    {
        var log = dir.File("ran.txt");
        // Its interpreter does not exist: the file passes the config checks, then every run fails to start.
        File.WriteAllText(Script("broken.sh", ""), "#!/nonexistent/sh\n");
        await using var h = await Harness.StartAsync(dir, Yaml("broken.sh"));
        var stats = await AssertHeldAsync(h, 3);
        Assert.Contains("cannot run broken.sh", stats.LastError, StringComparison.Ordinal);

        Script("broken.sh", $"cat >> {log}");
        Assert.True(await h.Dispatcher.DrainAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal([0, 1, 2], File.ReadAllLines(log).Select(l => TestAlerts.Number(JsonDocument.Parse(l).RootElement)));
    }

    [Theory]
    [InlineData("exit 75", DeliveryOutcome.Retry, FailureKind.ServerError, "exit status 75 (temporary failure)")]
    [InlineData("exit 126", DeliveryOutcome.Failed, FailureKind.Config, "exit status 126 (cannot execute)")]
    [InlineData("exit 127", DeliveryOutcome.Failed, FailureKind.Config, "exit status 127 (command not found)")]
    [InlineData("exit 130", DeliveryOutcome.Retry, FailureKind.ServerError, "exit status 130 (killed by signal 2)")]
    [InlineData("kill -TERM $$", DeliveryOutcome.Retry, FailureKind.ServerError, "exit status 143 (killed by signal 15)")]
    [InlineData("exit 2", DeliveryOutcome.Failed, FailureKind.ClientError, "exit status 2")]
    [InlineData("exit 255", DeliveryOutcome.Failed, FailureKind.ClientError, "exit status 255")]
    public async Task The_exit_status_tells_a_rejected_alert_from_a_broken_script_or_a_killed_run(
        string exit, DeliveryOutcome outcome, FailureKind kind, string text)
    {
        Script("run.sh", "cat > /dev/null\n" + exit);
        var result = await RunOnceAsync(Yaml("run.sh"), TestAlerts.Flow(1));
        Assert.Equal(outcome, result.Outcome);
        Assert.Equal(kind, result.Kind);
        Assert.Equal(text, result.Text);
    }

    [Fact]
    public async Task A_command_the_script_cannot_find_keeps_the_alerts_queued_not_dead_lettered()
    {
        Script("missing.sh", "cat > /dev/null\nno-such-command-tocsin");
        await using var h = await Harness.StartAsync(dir, Yaml("missing.sh"));
        await AssertHeldAsync(h, 2);
    }

    /// <summary>
    /// Publishes <paramref name="alerts"/> alerts to a script that cannot deliver them and checks they stay queued,
    /// neither failed nor dead-lettered, the recipient held by a configuration fault.
    /// </summary>
    private static async Task<RecipientStats> AssertHeldAsync(Harness h, int alerts)
    {
        h.Publish(Enumerable.Range(0, alerts).Select(i => TestAlerts.Flow(i)));
        Assert.False(await h.CompleteAndDrainAsync(TimeSpan.FromMilliseconds(500)));
        var stats = h.Stats("blocker");
        Assert.Equal(alerts, stats.Queued);
        Assert.Equal(0, stats.Failed);
        Assert.Equal(0, stats.DeadLetters);
        Assert.Equal(FailureKind.Config, stats.LastErrorKind);
        return stats;
    }

    [Theory]
    [InlineData("always", "engage,release,store")]
    [InlineData("engage", "engage")]
    [InlineData("release", "release")]
    [InlineData("store", "store")]
    public async Task Run_on_chooses_which_actions_run_the_script(string runOn, string expected)
    {
        var log = dir.File("actions.txt");
        Script("log.sh", $"grep -o '\"action\":\"[a-z]*\"' | cut -d'\"' -f4 >> {log}");
        var h = Harness.Create(dir, Yaml("log.sh", $"    run_on: {runOn}"));
        await using (h)
        {
            await h.DeliverAllAsync([TestAlerts.Host(1, AlertAction.Engage), TestAlerts.Host(2, AlertAction.Release), TestAlerts.Flow(3)]);
        }
        Assert.Equal(expected.Split(','), File.ReadAllLines(log));
    }

    [Fact]
    public void A_missing_or_non_executable_script_is_a_config_error_with_its_line()
    {
        File.WriteAllText(Path.Combine(dir.File("scripts"), "plain.sh"), "#!/bin/sh\n");
        foreach (var (script, message) in new[] { ("absent.sh", "no such file"), ("plain.sh", "is not executable"), ("../etc.sh", "is not a file name") })
        {
            var e = Assert.Throws<ConfigException>(() => Harness.Config(dir, Yaml(script)));
            var error = Assert.Single(e.Errors);
            Assert.Equal(4, error.Line);
            Assert.Equal("endpoints.responder.script", error.Path);
            Assert.Contains(message, error.Message, StringComparison.Ordinal);
        }
    }
}
