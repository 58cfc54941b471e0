using Tocsin.Checks;
using Tocsin.Decode;
using Tocsin.Traffic;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Tocsin.Config;

/// <summary>
/// Reads tocsin.yaml. Every problem is reported with file, line, column and key path; nothing is half-applied
/// when the file is invalid.
/// </summary>
public static class ConfigLoader
{
    private static readonly string[] TopKeys = ["local_networks", "store", "flows", "hosts", "decoder", "ndpi", "workers", "checks", "endpoints", "recipients"];
    private static readonly string[] NdpiKeys = ["enabled", "protocols", "categories", "risky_domains", "malicious_ja3", "malicious_sha1"];
    private static readonly string[] StoreKeys = ["path", "max_age", "max_alerts"];
    private static readonly string[] FlowKeys = ["max", "idle_timeout", "tcp_close_timeout", "periodic_interval"];
    private static readonly string[] HostKeys = ["max", "local_idle_timeout", "remote_idle_timeout"];
    private static readonly string[] DecoderKeys = ["decapsulate_teredo"];

    /// <summary>Loads <paramref name="path"/> and applies its check settings to <paramref name="checks"/>.</summary>
    public static TocsinConfig Load(string path, CheckCatalog checks)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException([new ConfigError(path, 1, 1, "", $"cannot read the file: {e.Message}")]);
        }
        return Parse(text, path, checks);
    }

    public static TocsinConfig Parse(string text, string fileName, CheckCatalog checks)
    {
        var yaml = new YamlStream();
        try
        {
            yaml.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new ConfigException([new ConfigError(fileName, (int)e.Start.Line, (int)e.Start.Column, "", "invalid YAML: " + Inner(e))]);
        }
        var reader = new YamlReader(fileName);
        var config = new TocsinConfig { SourceFile = Path.GetFullPath(fileName) };
        if (yaml.Documents.Count == 0)
            return config;
        // A second document would be silently ignored, and with it every setting it holds.
        foreach (var extra in yaml.Documents.Skip(1))
            reader.Error(extra.RootNode, "", "a second YAML document: the config is one document (remove the '---' and merge the settings)");

        var staged = new List<Action>();
        YamlEntry? endpoints = null, recipients = null;
        foreach (var (key, keyNode, value, path) in reader.Entries(yaml.Documents[0].RootNode, "", TopKeys))
        {
            switch (key)
            {
                case "local_networks":
                    config = config with { LocalNetworks = Networks(reader, value, path) };
                    break;
                case "store":
                    config = config with { Store = Store(reader, value, path, config.Store, fileName) };
                    break;
                case "flows":
                    config = config with { Traffic = Traffic(reader, value, path, config.Traffic, FlowSection) };
                    break;
                case "hosts":
                    config = config with { Traffic = Traffic(reader, value, path, config.Traffic, HostSection) };
                    break;
                case "decoder":
                    foreach (var (k, _, v, p) in reader.Entries(value, path, DecoderKeys))
                    {
                        if (k == "decapsulate_teredo" && reader.Bool(v, p) is { } teredo)
                            config = config with { DecapsulateTeredo = teredo };
                    }
                    break;
                case "ndpi":
                    config = config with { Detection = Detection(reader, value, path, config.Detection, fileName) };
                    break;
                case "workers" when reader.Integer(value, path, 1, 256) is { } workers:
                    config = config with { Workers = (int)workers };
                    break;
                case "checks":
                    CheckSettings.Read(reader, value, path, checks, staged);
                    break;
                case "endpoints":
                    endpoints = new YamlEntry(key, keyNode, value, path);
                    break;
                case "recipients":
                    recipients = new YamlEntry(key, keyNode, value, path);
                    break;
            }
        }
        if (endpoints is not null || recipients is not null)
        {
            // Read together once the whole file is seen: recipients name endpoints that may come after them.
            var baseDir = Path.GetDirectoryName(Path.GetFullPath(fileName)) ?? ".";
            config = config with { Notifications = NotificationSettings.Read(reader, endpoints, recipients, baseDir, checks) };
        }
        if (reader.Errors.Count > 0)
            throw new ConfigException(reader.Errors);
        foreach (var apply in staged)
            apply();
        return config;
    }

    private static DetectionConfig Detection(YamlReader reader, YamlNode node, string path, DetectionConfig d, string fileName)
    {
        var baseDir = Path.GetDirectoryName(Path.GetFullPath(fileName)) ?? ".";
        foreach (var (key, _, value, p) in reader.Entries(node, path, NdpiKeys))
        {
            if (key == "enabled")
            {
                if (reader.Bool(value, p) is { } enabled)
                    d = d with { Enabled = enabled };
                continue;
            }
            if (reader.Scalar(value, p) is not { } text)
                continue;
            var file = Path.GetFullPath(Path.Combine(baseDir, text));
            if (!File.Exists(file))
            {
                reader.Error(value, p, $"no such file: {file}");
                continue;
            }
            d = key switch
            {
                "protocols" => d with { ProtocolsFile = file },
                "categories" => d with { CategoriesFile = file },
                "risky_domains" => d with { RiskyDomainsFile = file },
                "malicious_ja3" => d with { MaliciousJa3File = file },
                _ => d with { MaliciousSha1File = file },
            };
        }
        return d;
    }

    private static string Inner(YamlException e) => e.InnerException is YamlException inner ? inner.Message : e.Message;

    private static List<IpNetwork> Networks(YamlReader reader, YamlNode node, string path)
    {
        var result = new List<IpNetwork>();
        foreach (var (text, item) in reader.List(node, path) ?? [])
        {
            if (IpNetwork.TryParse(text, out var n, out var error))
                result.Add(n);
            else
                reader.Error(item, path, error);
        }
        return result;
    }

    private static StoreConfig Store(YamlReader reader, YamlNode node, string path, StoreConfig store, string fileName)
    {
        foreach (var (key, _, value, p) in reader.Entries(node, path, StoreKeys))
        {
            switch (key)
            {
                case "path" when reader.Scalar(value, p) is { } file:
                    if (file.Length == 0)
                    {
                        reader.Error(value, p, "must not be empty");
                        break;
                    }
                    var baseDir = Path.GetDirectoryName(Path.GetFullPath(fileName)) ?? ".";
                    store = store with { Path = Path.IsPathRooted(file) ? file : Path.GetFullPath(Path.Combine(baseDir, file)) };
                    break;
                // Zero would delete every alert at the end of each run.
                case "max_age" when Positive(reader, value, p) is { } age:
                    store = store with { MaxAge = age };
                    break;
                case "max_alerts" when reader.Integer(value, p, min: 1) is { } max:
                    store = store with { MaxAlertsPerFamily = max };
                    break;
            }
        }
        return store;
    }

    /// <summary>The settings of the flows and hosts sections: a table size and durations.</summary>
    private sealed record TrafficSection(string[] Keys, Func<TrafficOptions, int, TrafficOptions> Max,
        IReadOnlyDictionary<string, Func<TrafficOptions, TimeSpan, TrafficOptions>> Durations);

    private static readonly TrafficSection FlowSection = new(FlowKeys, (t, max) => t with { MaxFlows = max }, new Dictionary<string, Func<TrafficOptions, TimeSpan, TrafficOptions>>
    {
        ["idle_timeout"] = (t, d) => t with { FlowIdleTimeout = d },
        ["tcp_close_timeout"] = (t, d) => t with { TcpCloseTimeout = d },
        ["periodic_interval"] = (t, d) => t with { FlowPeriodicInterval = d },
    });

    private static readonly TrafficSection HostSection = new(HostKeys, (t, max) => t with { MaxHosts = max }, new Dictionary<string, Func<TrafficOptions, TimeSpan, TrafficOptions>>
    {
        ["local_idle_timeout"] = (t, d) => t with { LocalHostIdleTimeout = d },
        ["remote_idle_timeout"] = (t, d) => t with { RemoteHostIdleTimeout = d },
    });

    private static TrafficOptions Traffic(YamlReader reader, YamlNode node, string path, TrafficOptions t, TrafficSection section)
    {
        foreach (var (key, _, value, p) in reader.Entries(node, path, section.Keys))
        {
            if (key == "max")
            {
                if (reader.Integer(value, p, 1, int.MaxValue / 4) is { } max)
                    t = section.Max(t, (int)max);
            }
            else if (Positive(reader, value, p) is { } d)
            {
                t = section.Durations[key](t, d);
            }
        }
        return t;
    }

    private static TimeSpan? Positive(YamlReader reader, YamlNode node, string path)
    {
        var d = reader.Duration(node, path);
        if (d is { } v && v <= TimeSpan.Zero)
        {
            reader.Error(node, path, "must be longer than zero");
            return null;
        }
        return d;
    }
}
