using System.Diagnostics;
using System.Text.Json;
using Tocsin.Cli.Tests;
using Tocsin.Testing;

namespace Tocsin.Notifications.Tests;

/// <summary>
/// The native executable that `./tocsin` runs (compiled ahead of time and trimmed) against the build under test: the
/// same alerts printed, stored and delivered, the same checks and endpoint types. Code that only works with the JIT
/// (reflection on members the trimmer removed, serializers generated at run time) fails here.
/// </summary>
public sealed class NativeBuildTests : ReceiverTest
{
    private static string Executable
    {
        get
        {
            var path = Path.Combine(SharedData.RepoRoot, "artifacts", "publish", "Tocsin.Cli", "release", "tocsin");
            Assert.True(File.Exists(path), $"the native executable is not at {path}: `./tocsin test` builds it first (dotnet publish src/Tocsin.Cli -c Release)");
            // An executable older than the sources would compare old code with the build under test.
            var built = File.GetLastWriteTimeUtc(path);
            var newer = Directory.EnumerateFiles(Path.Combine(SharedData.RepoRoot, "src"), "*", SearchOption.AllDirectories)
                .FirstOrDefault(f => File.GetLastWriteTimeUtc(f) > built);
            Assert.True(newer is null, $"the native executable is older than {newer}: `./tocsin test` rebuilds it first");
            return path;
        }
    }

    private static (int Exit, string Out, string Err) RunNative(params string[] args)
    {
        var start = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"the native executable did not finish in 2 minutes: tocsin {string.Join(' ', args)}");
        }
        return (process.ExitCode, output.Result, error.Result);
    }

    private string Config(string name)
    {
        var lists = SharedData.NdpiConfigDir;
        var path = Dir.File($"{name}.yaml");
        File.WriteAllText(path, $"""
            ndpi:
              protocols: {lists}/protos.txt
              categories: {lists}/categories.txt
              risky_domains: {lists}/risky_domains.txt
              malicious_ja3: {lists}/ja3_fingerprints.csv
              malicious_sha1: {lists}/sha1_fingerprints.csv
            store:
              path: {Dir.File($"{name}.db")}
            endpoints:
              hook: {"{"}type: webhook, url: "{Receiver.Url($"/{name}")}", batch_delay: 0{"}"}
            recipients:
              soc: {"{"}endpoint: hook, min_severity: debug{"}"}
            """);
        return path;
    }

    private List<string> Delivered(string name) =>
        [.. Receiver.Accepted.Where(r => r.Path == $"/{name}")
            .SelectMany(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("alerts").EnumerateArray())
            .Select(a => a.GetRawText())];

    [Fact]
    public void Analyze_prints_stores_and_delivers_the_same_alerts_as_the_build_under_test()
    {
        // One worker: with several, alerts of different workers interleave in no fixed order.
        string[] Args(string name) => ["analyze", SharedData.NdpiPcap("KakaoTalk_chat.pcap"), "-c", Config(name), "--workers", "1", "--notify", "--format", "json"];
        var jit = CliRunner.Run(Args("jit"));
        Assert.True(jit.Exit == 0, jit.Err);
        var native = RunNative(Args("native"));
        Assert.True(native.Exit == 0, native.Err);

        var expected = JsonDocument.Parse(jit.Out).RootElement;
        var actual = JsonDocument.Parse(native.Out).RootElement;
        var alerts = expected.GetProperty("alerts").EnumerateArray().Select(a => a.GetRawText()).ToList();
        // The malicious JA3 list reached nDPI: 4 alerts of type 79 (as the CLI's own list test).
        Assert.Equal(4, expected.GetProperty("alerts").EnumerateArray().Count(a => a.GetProperty("alert_id").GetInt32() == 79));
        Assert.Equal(alerts, actual.GetProperty("alerts").EnumerateArray().Select(a => a.GetRawText()));
        Assert.Equal(Summary(expected), Summary(actual));

        // Both delivered every alert to the webhook, with the same bodies.
        Assert.Equal(alerts.Count, Delivered("jit").Count);
        Assert.Equal(Delivered("jit"), Delivered("native"));

        // And stored the same rows, as each build reads them back.
        var stored = CliRunner.Run("alerts", "list", "--db", Dir.File("jit.db"), "--limit", "100000", "--format", "ndjson");
        Assert.True(stored.Exit == 0, stored.Err);
        Assert.NotEmpty(stored.Out);
        var nativeStored = RunNative("alerts", "list", "--db", Dir.File("native.db"), "--limit", "100000", "--format", "ndjson");
        Assert.True(nativeStored.Exit == 0, nativeStored.Err);
        Assert.Equal(stored.Out, nativeStored.Out);
    }

    [Theory]
    [InlineData("checks", "list")]
    [InlineData("recipients", "types")]
    public void Discovered_checks_and_endpoint_types_are_the_same(string command, string subcommand)
    {
        var jit = CliRunner.Run(command, subcommand);
        Assert.True(jit.Exit == 0, jit.Err);
        var native = RunNative(command, subcommand);
        Assert.True(native.Exit == 0, native.Err);
        Assert.Equal(jit.Out, native.Out);
    }

    /// <summary>The summary without its timings.</summary>
    private static string Summary(JsonElement doc) =>
        string.Join('\n', doc.GetProperty("summary").EnumerateObject()
            .Where(p => p.Name is not ("elapsed_seconds" or "packets_per_second" or "store_drain_seconds"))
            .Select(p => $"{p.Name}={p.Value.GetRawText()}"));
}
