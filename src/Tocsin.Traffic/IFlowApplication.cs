using System.Text.Json.Nodes;

namespace Tocsin.Traffic;

/// <summary>
/// What application-protocol detection (nDPI) found for a flow: protocols, category, host name, risks and the
/// protocol details alerts carry. Set on <see cref="Flow.Application"/> by the flow inspector.
/// </summary>
public interface IFlowApplication
{
    /// <summary>Master protocol id (nDPI numbering; 0 when none, e.g. DNS for DNS.Google).</summary>
    int MasterProtocol { get; }

    /// <summary>Application protocol id (nDPI numbering; 0 unknown).</summary>
    int AppProtocol { get; }

    /// <summary>nDPI's name, "Master.App" or "App", e.g. "TLS.YouTube", "DNS", "Unknown".</summary>
    string ProtocolName { get; }

    /// <summary>Category id and name (nDPI's), e.g. 5 "Web".</summary>
    int Category { get; }

    string CategoryName { get; }

    /// <summary>nDPI's breed of the protocol: 0 safe, 1 acceptable, 2 fun, 3 unsafe, 4 potentially dangerous, 5 dangerous, 6 tracker/ads, 7 unrated.</summary>
    int Breed { get; }

    string BreedName { get; }

    /// <summary>Server name: TLS SNI, HTTP Host, DNS query, SSH client banner...; empty when none.</summary>
    string HostName { get; }

    /// <summary>ntopng's flow info: the HTTP URL when there is one, else the host name (DNS query, TLS SNI, SSH client banner).</summary>
    string Info { get; }

    /// <summary>
    /// The protocol details that explain risk <paramref name="riskId"/> as one readable line (e.g. "GET
    /// example.com/a?id=1', response 200, user agent \"sqlmap\""); empty when the flow has none. Control characters
    /// are replaced and long values clipped.
    /// </summary>
    string DescribeRisk(int riskId);

    /// <summary>Bit i set when nDPI risk i was found.</summary>
    ulong RiskBitmap { get; }

    /// <summary>nDPI's names of the risks set, in id order.</summary>
    IReadOnlyList<string> RiskNames { get; }

    /// <summary>Adds the protocol details (HTTP, TLS, SSH, DNS fields) to an alert's parameters.</summary>
    void WriteDetails(JsonObject parameters);
}
