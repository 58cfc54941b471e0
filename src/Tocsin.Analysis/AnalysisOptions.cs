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

    /// <summary>Threads that each read the capture and track their share of the host pairs; 1 runs everything on the calling thread.</summary>
    public int Workers { get; init; } = 1;
}
