using Tocsin.Alerts;
using Tocsin.Capture;
using Tocsin.Decode;

namespace Tocsin.Analysis;

/// <summary>What an analysis saw and raised, for the closing report.</summary>
public sealed record AnalysisSummary
{
    public required long Packets { get; init; }
    public required long Bytes { get; init; }
    public required long IpPackets { get; init; }
    public required long FlowPackets { get; init; }
    public required long UnattributedPackets { get; init; }
    public required long Flows { get; init; }
    public required long FlowsRefused { get; init; }
    public required long Hosts { get; init; }
    public required long HostsRefused { get; init; }
    public required DecodeStats Decode { get; init; }
    public required IReadOnlyList<(AlertType Type, AlertAction Action, long Count)> Alerts { get; init; }

    /// <summary>Alerts still engaged when the capture ended (released when the analysis closed).</summary>
    public required IReadOnlyList<Alert> EngagedAtEnd { get; init; }
    public required IReadOnlyList<CaptureError> CaptureErrors { get; init; }
    public required long FirstPacketNs { get; init; }
    public required long LastPacketNs { get; init; }
    public required TimeSpan Elapsed { get; init; }

    /// <summary>
    /// How long the alert store took, once the last packet was analysed, to commit the alerts still queued for it
    /// (not part of <see cref="Elapsed"/>: the store writes on its own thread while the packets are read).
    /// </summary>
    public TimeSpan StoreDrain { get; init; }
    public int Workers { get; init; } = 1;

    /// <summary>Flows each worker tracked: how evenly the host pairs spread.</summary>
    public IReadOnlyList<long> FlowsPerWorker { get; init; } = [];

    public double PacketsPerSecond => Elapsed.TotalSeconds > 0 ? Packets / Elapsed.TotalSeconds : 0;
}
