using System.Text.Json.Nodes;

namespace Tocsin.Alerts;

/// <summary>One alert event as it leaves the engine: to the store, the output and the recipients' queues.</summary>
public sealed class Alert
{
    /// <summary>Row id once stored (0 before).</summary>
    public long RowId { get; set; }

    public required AlertType Type { get; init; }

    public required AlertEntity Entity { get; init; }

    /// <summary>ntopng's entity_val: "ip@vlan" for hosts, "flow" for flows, the CIDR for networks, the ifid for interfaces.</summary>
    public required string EntityValue { get; init; }

    /// <summary>Distinguishes several alerts of one type on one entity (e.g. the threshold check and metric).</summary>
    public string Subtype { get; init; } = "";

    /// <summary>Check period in seconds (60, 300, 3600, 86400); 0 for events and flow alerts.</summary>
    public int Granularity { get; init; }

    public AlertAction Action { get; set; }

    public int Score { get; set; }

    public Severity Severity => Scores.ToSeverity(Score);

    public AlertCategory Category { get; init; }

    /// <summary>Epoch seconds: engage time for stateful alerts, first-seen for flow alerts, event time otherwise.</summary>
    public long Tstamp { get; set; }

    /// <summary>Epoch seconds: release time for released alerts, detection time for flow alerts, 0 while engaged.</summary>
    public long TstampEnd { get; set; }

    /// <summary>The type-specific parameters (ntopng's alert "json").</summary>
    public JsonObject Params { get; init; } = [];

    /// <summary>Readable English description.</summary>
    public string Message { get; set; } = "";

    public int InterfaceId { get; init; }

    public string InterfaceName { get; init; } = "";

    /// <summary>ntopng's acknowledged flag: stored as status acknowledged instead of historical.</summary>
    public bool Acknowledged { get; init; }

    public FlowAlertInfo? Flow { get; init; }

    public HostAlertInfo? Host { get; init; }

    public AlertStatus Status { get; set; } = AlertStatus.Historical;

    public string Name => Type.Name;

    /// <summary>A copy carrying another action (an engaged alert's release), sharing the immutable parts.</summary>
    public Alert CloneAs(AlertAction action, long tstampEnd) => new()
    {
        Type = Type,
        Entity = Entity,
        EntityValue = EntityValue,
        Subtype = Subtype,
        Granularity = Granularity,
        Action = action,
        Score = Score,
        Category = Category,
        Tstamp = Tstamp,
        TstampEnd = tstampEnd,
        Params = Params,
        Message = Message,
        InterfaceId = InterfaceId,
        InterfaceName = InterfaceName,
        Acknowledged = Acknowledged,
        Flow = Flow,
        Host = Host,
        Status = Status,
    };
}

/// <summary>The flow an alert is about (ntopng's flow alert fields).</summary>
public sealed class FlowAlertInfo
{
    public required string CliIp { get; init; }
    public required int CliPort { get; init; }
    public required string SrvIp { get; init; }
    public required int SrvPort { get; init; }

    /// <summary>L4 protocol number.</summary>
    public required int Proto { get; init; }

    public int VlanId { get; init; }
    public int IpVersion { get; init; }
    public long FirstSeen { get; init; }
    public long LastSeen { get; init; }
    public long Cli2SrvBytes { get; init; }
    public long Srv2CliBytes { get; init; }
    public long Cli2SrvPackets { get; init; }
    public long Srv2CliPackets { get; init; }
    public bool CliIsLocal { get; init; }
    public bool SrvIsLocal { get; init; }
    public bool IsCliAttacker { get; init; }
    public bool IsCliVictim { get; init; }
    public bool IsSrvAttacker { get; init; }
    public bool IsSrvVictim { get; init; }

    /// <summary>Sum of the scores of every alert raised on the flow so far.</summary>
    public int FlowScore { get; init; }

    /// <summary>Application protocol (nDPI id; -1 before detection) and its master.</summary>
    public int L7Proto { get; init; } = -1;
    public int L7MasterProto { get; init; } = -1;
    public string L7Name { get; init; } = "";
    public int L7Category { get; init; }
    public string HostName { get; init; } = "";
    public ulong RiskBitmap { get; init; }
    public IReadOnlyList<string> Risks { get; init; } = [];
    public string Info { get; init; } = "";
}

/// <summary>The host a host alert is about.</summary>
public sealed class HostAlertInfo
{
    public required string Ip { get; init; }
    public int VlanId { get; init; }
    public int IpVersion { get; init; }
    public bool IsLocal { get; init; }
    public bool IsAttacker { get; init; }
    public bool IsVictim { get; init; }
    public bool IsClient { get; init; }
    public bool IsServer { get; init; }
    public string Name { get; init; } = "";
    public string Network { get; init; } = "";
}
