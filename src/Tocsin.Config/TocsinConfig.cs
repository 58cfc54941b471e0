using Tocsin.Decode;
using Tocsin.Notifications;
using Tocsin.Traffic;

namespace Tocsin.Config;

/// <summary>Alert-store settings.</summary>
public sealed record StoreConfig
{
    /// <summary>SQLite database file. A store.path given in the config is relative to the config file; this default is
    /// relative to the working directory.</summary>
    public string Path { get; init; } = "tocsin.db";

    public TimeSpan MaxAge { get; init; } = TimeSpan.FromDays(365);

    /// <summary>Newest alerts kept per family (ntopng keeps 0.8 × 1,000,000).</summary>
    public long MaxAlertsPerFamily { get; init; } = 1_000_000;
}

/// <summary>Application-protocol detection with nDPI and the list files it loads (as ndpiReader's -p -c -r -j -S).</summary>
public sealed record DetectionConfig
{
    /// <summary>Off runs without nDPI: no application protocols, and the checks that need them stay silent.</summary>
    public bool Enabled { get; init; } = true;

    public string? ProtocolsFile { get; init; }
    public string? CategoriesFile { get; init; }
    public string? RiskyDomainsFile { get; init; }
    public string? MaliciousJa3File { get; init; }
    public string? MaliciousSha1File { get; init; }
}

/// <summary>The whole configuration. Check settings are applied to the check catalog given to the loader.</summary>
public sealed record TocsinConfig
{
    /// <summary>Where it was read from; null for the embedded defaults.</summary>
    public string? SourceFile { get; init; }

    public IReadOnlyList<IpNetwork> LocalNetworks { get; init; } = [];

    public StoreConfig Store { get; init; } = new();

    public TrafficOptions Traffic { get; init; } = new();

    /// <summary>Decapsulate Teredo (off by default: nDPI reports Teredo's outer UDP flows).</summary>
    public bool DecapsulateTeredo { get; init; }

    public DetectionConfig Detection { get; init; } = new();

    /// <summary>Worker threads flows are sharded to; null: one per core.</summary>
    public int? Workers { get; init; }

    /// <summary>Endpoints and recipients (sections endpoints: and recipients:).</summary>
    public NotificationConfig Notifications { get; init; } = NotificationConfig.Empty;
}
