using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace Tocsin.Testing;

/// <summary>One flow line of an ndpiReader result file.</summary>
public sealed partial record NdpiFlow(string Protocol, string SrcIp, int SrcPort, string DstIp, int DstPort, int Vlan, bool Bidirectional, string Line)
{
    /// <summary>The detected protocol's name as printed after "proto: ids/", e.g. "TLS.Facebook", "DNS", "Unknown".</summary>
    public string Application => ApplicationField().Match(Line) is { Success: true } m ? m.Groups["name"].Value : "";

    /// <summary>The names of the risks listed in "[Risk: ** A **** B **]", in printed (id) order; empty when none.</summary>
    public IReadOnlyList<string> Risks =>
        RiskField().Match(Line) is { Success: true } m ? [.. m.Groups["risk"].Captures.Select(c => c.Value)] : [];

    /// <summary>The value of a "[Name: value]" field ("Hostname/SNI", "JA3C", "URL"...), or null when the line has none.</summary>
    public string? Field(string name)
    {
        var start = Line.IndexOf("[" + name + ": ", StringComparison.Ordinal);
        if (start < 0)
            return null;
        start += name.Length + 3;
        var end = Line.IndexOf("][", start, StringComparison.Ordinal);
        return end < 0 ? Line[start..Line.LastIndexOf(']')] : Line[start..end];
    }

    [GeneratedRegex(@"\[proto: [^/\]]*/(?<name>[^\]]+)\]")]
    private static partial Regex ApplicationField();

    [GeneratedRegex(@"\[Risk: (\*\* (?<risk>.+?) \*\*)+\]")]
    private static partial Regex RiskField();

    /// <summary>Direction-free identity: protocol, VLAN and the two ends in a fixed order.</summary>
    public string Key => MakeKey(Protocol, Vlan, SrcIp, SrcPort, DstIp, DstPort);

    public static string MakeKey(string protocol, int vlan, string ipA, int portA, string ipB, int portB)
    {
        var a = $"{Normalize(ipA)}:{portA}";
        var b = $"{Normalize(ipB)}:{portB}";
        return string.CompareOrdinal(a, b) <= 0 ? $"{protocol} {vlan} {a} {b}" : $"{protocol} {vlan} {b} {a}";
    }

    /// <summary>The key of a flow or packet seen here, its IP protocol named as ndpiReader prints it.</summary>
    public static string MakeKey(int protocol, int vlan, string ipA, int portA, string ipB, int portB) =>
        MakeKey(ProtocolName(protocol), vlan, ipA, portA, ipB, portB);

    /// <summary>ndpiReader's names for IP protocols (others as numbers).</summary>
    private static string ProtocolName(int protocol) => protocol switch
    {
        6 => "TCP",
        17 => "UDP",
        1 => "ICMP",
        58 => "ICMPV6",
        2 => "IGMP",
        _ => protocol.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>ndpiReader abbreviates IPv6 its own way (any ":0:" becomes "::"): compare parsed addresses.</summary>
    private static string Normalize(string ip) => IPAddress.TryParse(ip, out var a) ? a.ToString() : ip;
}

/// <summary>
/// Reads what `ndpiReader -v 2` printed for a shared capture: the per-protocol packet totals and the flow list.
/// </summary>
public sealed partial class NdpiResult
{
    private NdpiResult(IReadOnlyList<NdpiFlow> flows, long packets)
    {
        Flows = flows;
        Packets = packets;
    }

    public IReadOnlyList<NdpiFlow> Flows { get; }

    /// <summary>Packets ndpiReader put into flows (the sum of its per-protocol lines).</summary>
    public long Packets { get; }

    public static NdpiResult Load(string captureName)
    {
        var flows = new List<NdpiFlow>();
        long packets = 0;
        foreach (var line in File.ReadLines(SharedData.NdpiResult(captureName)))
        {
            var m = FlowLine().Match(line);
            if (m.Success)
            {
                flows.Add(new NdpiFlow(
                    m.Groups["proto"].Value,
                    Unbracket(m.Groups["sip"].Value), int.Parse(m.Groups["sport"].Value, CultureInfo.InvariantCulture),
                    Unbracket(m.Groups["dip"].Value), int.Parse(m.Groups["dport"].Value, CultureInfo.InvariantCulture),
                    m.Groups["vlan"].Success ? int.Parse(m.Groups["vlan"].Value, CultureInfo.InvariantCulture) : 0,
                    m.Groups["dir"].Value == "<->",
                    line));
                continue;
            }
            var p = ProtocolLine().Match(line);
            if (p.Success && flows.Count == 0)
                packets += long.Parse(p.Groups["packets"].Value, CultureInfo.InvariantCulture);
        }
        return new NdpiResult(flows, packets);
    }

    private static string Unbracket(string ip) => ip.StartsWith('[') ? ip[1..^1] : ip;

    [GeneratedRegex(@"^\t\d+\t(?<proto>\S+) (?<sip>\[[^\]]+\]|[\d.]+):(?<sport>\d+) (?<dir><->|->) (?<dip>\[[^\]]+\]|[\d.]+):(?<dport>\d+) (\[VLAN: (?<vlan>\d+)\])?")]
    private static partial Regex FlowLine();

    /// <summary>"HTTP	10	1792	1": protocol, packets, bytes, flows.</summary>
    [GeneratedRegex(@"^(?<name>[^\t ]+)\t(?<packets>\d+)\t(?<bytes>\d+)\t(?<flows>\d+)$")]
    private static partial Regex ProtocolLine();
}
