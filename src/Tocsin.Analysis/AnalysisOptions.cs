using Tocsin.Checks;
using Tocsin.Decode;
using Tocsin.Traffic;

namespace Tocsin.Analysis;

/// <summary>Everything an analysis needs besides the checks and the alert sinks.</summary>
public sealed record AnalysisOptions
{
    public TrafficOptions Traffic { get; init; } = new();
    public DecoderOptions Decoder { get; init; } = new();
    public IReadOnlyList<IpNetwork> LocalNetworks { get; init; } = [];
    public InterfaceInfo Interface { get; init; } = new(0, "pcap");

    /// <summary>Threads flows are sharded to (by a symmetric hash of their key); 1 runs everything on the reading thread.</summary>
    public int Workers { get; init; } = 1;
}
