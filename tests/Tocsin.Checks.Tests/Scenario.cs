using Tocsin.Alerts;
using Tocsin.Analysis;
using Tocsin.Capture;
using Tocsin.Checks;
using Tocsin.Decode;
using Tocsin.Testing;
using Tocsin.Traffic;

namespace Tocsin.Checks.Tests;

/// <summary>
/// Runs packets (built here, or a shared capture) through the real analyzer with chosen checks and records every
/// alert event, in order.
/// </summary>
internal sealed class Scenario : IAlertSink
{
    /// <summary>2024-01-01 10:00:00 UTC: a minute boundary, so tick times are easy to read in tests.</summary>
    public const long Start = 1_704_103_200;

    private readonly List<(long Ns, byte[] Frame)> packets = [];
    private readonly List<IpNetwork> localNetworks = [];
    private TrafficOptions traffic = new();

    public Scenario()
    {
        Catalog = CheckCatalog.Discover();
        foreach (var c in Catalog.All)
            c.Enabled = false;
    }

    public CheckCatalog Catalog { get; }

    public List<Check> ExtraChecks { get; } = [];

    /// <summary>Application detection to use (none by default, as in the core build).</summary>
    public IFlowInspector? Inspector { get; set; }

    /// <summary>Worker threads (1 by default).</summary>
    public int Workers { get; set; } = 1;

    public List<Alert> Events { get; } = [];

    public AnalysisSummary? Summary { get; private set; }

    /// <summary>Why the capture stopped early, if it did (what was read before is analysed).</summary>
    public CaptureError? CaptureError { get; private set; }

    public Scenario Local(params string[] cidrs)
    {
        localNetworks.AddRange(cidrs.Select(IpNetwork.Parse));
        return this;
    }

    public Scenario Traffic(TrafficOptions options)
    {
        traffic = options;
        return this;
    }

    /// <summary>Enables a check and sets parameters ("name", "value" pairs; lists as comma-separated text).</summary>
    public Scenario Enable(string key, params (string Name, string Value)[] settings)
    {
        var check = Catalog.Find(key) ?? throw new ArgumentException("no check " + key);
        check.Enabled = true;
        foreach (var (name, value) in settings)
        {
            var p = check.FindParameter(name) ?? throw new ArgumentException($"no parameter {name} on {key}");
            var error = p.IsList ? p.TrySet(value.Split(',')) : p.TrySet(value);
            Assert.Null(error);
        }
        return this;
    }

    public Scenario At(double seconds, byte[] frame)
    {
        packets.Add(((Start * 1_000_000_000L) + (long)Math.Round(seconds * 1e9), frame));
        return this;
    }

    public static long Seconds(double offset) => Start + (long)Math.Floor(offset);

    public Scenario Run()
    {
        var stream = new MemoryStream();
        using (var writer = new PcapWriter(stream, LinkType.Ethernet, leaveOpen: true, resolution: PcapTimestampResolution.Nanosecond))
        {
            foreach (var (ns, frame) in packets.OrderBy(p => p.Ns))
                writer.Write(ns, frame);
        }
        var bytes = stream.ToArray();
        return Run(() => CaptureFile.Open(new MemoryStream(bytes), "scenario.pcap"));
    }

    public Scenario RunShared(string captureName) => RunFile(SharedData.NdpiPcap(captureName));

    public Scenario RunFile(string path) => Run(() => CaptureFile.Open(path));

    public Scenario Run(Func<ICaptureReader> open)
    {
        foreach (var extra in ExtraChecks)
            extra.Enabled = true;
        var engine = new AlertEngine([this]);
        var inspector = Inspector;
        var analyzer = new Analyzer(new AnalysisOptions { LocalNetworks = localNetworks, Traffic = traffic, Workers = Workers },
            Catalog.All.Concat(ExtraChecks), engine, inspector is null ? null : () => inspector);
        CaptureError = analyzer.Run(open).Error;
        Summary = analyzer.Close();
        return this;
    }

    public void Publish(Alert alert) => Events.Add(alert);

    public IReadOnlyList<Alert> Of(string alertName, AlertAction? action = null) =>
        Events.Where(a => a.Type.Name == alertName && (action is null || a.Action == action)).ToList();
}
