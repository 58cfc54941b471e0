using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.Data.Sqlite;
using Tocsin.Alerts;

namespace Tocsin.Store;

/// <summary>
/// A stored column: its SQL declaration and, for columns written on insert, how its value is taken from an alert
/// (NULL when the alert has nothing for it, e.g. flow columns of a flow alert without flow info).
/// </summary>
internal sealed record Column(string Name, string Declaration, Func<Alert, Cell>? Value = null);

/// <summary>
/// One value to insert: an integer, a text or NULL, without boxing (boxing the nullable integers of a flow alert
/// was a fifth of the store's time).
/// </summary>
internal readonly struct Cell
{
    private Cell(long integer, string? text, bool isNull)
    {
        Integer = integer;
        Text = text;
        IsNull = isNull;
    }

    public long Integer { get; }

    /// <summary>The text of a text value; null for an integer or NULL.</summary>
    public string? Text { get; }

    public bool IsNull { get; }

    public static implicit operator Cell(long? value) => value is { } v ? new(v, null, false) : new(0, null, true);

    public static implicit operator Cell(bool? value) => value is { } v ? new(v ? 1 : 0, null, false) : new(0, null, true);

    public static implicit operator Cell(string? value) => new(0, value, value is null);
}

/// <summary>One family's table, laid out as ntopng's alert_store_schema.sql (spec §1.13) plus Tocsin's own fields.</summary>
internal sealed class AlertTable
{
    private AlertTable(AlertEntity entity, string name, IReadOnlyList<Column> extraColumns, IReadOnlyList<string> extraIndexed)
    {
        Entity = entity;
        Name = name;
        Columns = [.. CommonColumns, .. extraColumns];
        InsertColumns = [.. Columns.Where(c => c.Value is not null)];
        IndexedColumns = [.. CommonIndexed, .. extraIndexed];
    }

    public AlertEntity Entity { get; }

    public string Name { get; }

    /// <summary>Every column but rowid, in declaration order.</summary>
    public IReadOnlyList<Column> Columns { get; }

    public IReadOnlyList<Column> InsertColumns { get; }

    /// <summary>Columns with an index; equality filters on them come paired with tstamp so the index also orders.</summary>
    public IReadOnlyList<string> IndexedColumns { get; }

    public bool IsFlow => Entity == AlertEntity.Flow;

    public bool IsHost => Entity == AlertEntity.Host;

    public bool HasVlan => IsFlow || IsHost;

    // Declared before the tables: static initializers run in textual order and the tables read these.
    private static IReadOnlyList<Column> CommonColumns { get; } =
    [
        new("alert_id", "INTEGER NOT NULL", a => a.Type.Id),
        // The name lets a build that lacks the type still show what it was (AlertTypeCatalog.Resolve).
        new("alert_name", "TEXT NOT NULL", a => a.Type.Name),
        new("alert_status", "INTEGER NOT NULL", a => (int)StoredStatus(a)),
        new("alert_category", "INTEGER NOT NULL", a => (int)a.Category),
        // Not in ntopng's tables: tells a released stateful alert from a one-shot event.
        new("action", "TEXT NOT NULL", a => a.Action.Name()),
        new("interface_id", "INTEGER NOT NULL", a => a.InterfaceId),
        new("ifname", "TEXT NOT NULL", a => a.InterfaceName),
        new("tstamp", "INTEGER NOT NULL", a => a.Tstamp),
        new("tstamp_end", "INTEGER NOT NULL", a => a.TstampEnd),
        new("severity", "INTEGER NOT NULL", a => (int)a.Severity),
        new("score", "INTEGER NOT NULL", a => a.Score),
        new("granularity", "INTEGER NOT NULL", a => a.Granularity),
        new("entity_val", "TEXT NOT NULL", a => a.EntityValue),
        new("subtype", "TEXT NOT NULL", a => a.Subtype),
        new("description", "TEXT NOT NULL", a => a.Message),
        new("json", "TEXT NOT NULL", a => a.Params.ToJsonString()),
        // ntopng's user labels: part of the layout readers expect, set by no Tocsin call yet.
        new("user_label", "TEXT"),
        new("user_label_tstamp", "INTEGER"),
    ];

    private static IReadOnlyList<string> CommonIndexed { get; } =
        ["alert_id", "alert_status", "severity", "score", "entity_val"];

    public static AlertTable FlowAlerts { get; } = new(AlertEntity.Flow, "flow_alerts",
    [
        new("ip_version", "INTEGER", a => a.Flow?.IpVersion),
        new("cli_ip", "TEXT", a => a.Flow?.CliIp),
        new("srv_ip", "TEXT", a => a.Flow?.SrvIp),
        new("cli_port", "INTEGER", a => a.Flow?.CliPort),
        new("srv_port", "INTEGER", a => a.Flow?.SrvPort),
        new("vlan_id", "INTEGER", a => a.Flow?.VlanId),
        new("is_cli_attacker", "INTEGER", a => a.Flow?.IsCliAttacker),
        new("is_cli_victim", "INTEGER", a => a.Flow?.IsCliVictim),
        new("is_srv_attacker", "INTEGER", a => a.Flow?.IsSrvAttacker),
        new("is_srv_victim", "INTEGER", a => a.Flow?.IsSrvVictim),
        new("proto", "INTEGER", a => a.Flow?.Proto),
        new("l7_proto", "INTEGER", a => a.Flow?.L7Proto),
        new("l7_master_proto", "INTEGER", a => a.Flow?.L7MasterProto),
        new("l7_name", "TEXT", a => a.Flow?.L7Name),
        new("l7_cat", "INTEGER", a => a.Flow?.L7Category),
        new("host_name", "TEXT", a => a.Flow?.HostName),
        new("cli2srv_bytes", "INTEGER", a => a.Flow?.Cli2SrvBytes),
        new("srv2cli_bytes", "INTEGER", a => a.Flow?.Srv2CliBytes),
        new("cli2srv_pkts", "INTEGER", a => a.Flow?.Cli2SrvPackets),
        new("srv2cli_pkts", "INTEGER", a => a.Flow?.Srv2CliPackets),
        new("first_seen", "INTEGER", a => a.Flow?.FirstSeen),
        new("last_seen", "INTEGER", a => a.Flow?.LastSeen),
        // SQLite integers are signed 64-bit: the bitmap is stored as its two's-complement image so bit 63 survives.
        new("flow_risk_bitmap", "INTEGER", a => a.Flow is { } f ? unchecked((long)f.RiskBitmap) : (long?)null),
        new("risks", "TEXT", a => a.Flow is { } f ? JsonSerializer.Serialize(f.Risks, StoreJsonContext.Default.IReadOnlyListString) : null),
        new("cli_localhost", "INTEGER", a => a.Flow?.CliIsLocal),
        new("srv_localhost", "INTEGER", a => a.Flow?.SrvIsLocal),
        new("flow_score", "INTEGER", a => a.Flow?.FlowScore),
        new("info", "TEXT", a => a.Flow?.Info),
    ],
    ["cli_ip", "srv_ip", "cli_port", "srv_port", "vlan_id"]);

    public static AlertTable HostAlerts { get; } = new(AlertEntity.Host, "host_alerts",
    [
        new("ip_version", "INTEGER", a => a.Host?.IpVersion),
        new("ip", "TEXT", a => a.Host?.Ip),
        new("vlan_id", "INTEGER", a => a.Host?.VlanId),
        new("name", "TEXT", a => a.Host?.Name),
        new("is_attacker", "INTEGER", a => a.Host?.IsAttacker),
        new("is_victim", "INTEGER", a => a.Host?.IsVictim),
        new("is_client", "INTEGER", a => a.Host?.IsClient),
        new("is_server", "INTEGER", a => a.Host?.IsServer),
        new("is_local", "INTEGER", a => a.Host?.IsLocal),
        new("network", "TEXT", a => a.Host?.Network),
    ],
    ["ip", "vlan_id"]);

    public static IReadOnlyList<AlertTable> All { get; } =
    [
        FlowAlerts,
        HostAlerts,
        new(AlertEntity.Interface, "interface_alerts", [], []),
        // ntopng names the network by its CIDR in a column of its own; kept for SQL readers of the file.
        new(AlertEntity.Network, "network_alerts", [new("name", "TEXT NOT NULL", a => a.EntityValue)], []),
        new(AlertEntity.Mac, "mac_alerts", [], []),
        new(AlertEntity.System, "system_alerts", [], []),
        new(AlertEntity.User, "user_alerts", [], []),
    ];

    public static AlertTable For(AlertEntity entity) =>
        All.FirstOrDefault(t => t.Entity == entity)
        ?? throw new ArgumentOutOfRangeException(nameof(entity), entity, "no alert table for this entity");

    /// <summary>ntopng inserts alerts flagged acknowledged (auto-ack) straight as acknowledged.</summary>
    public static AlertStatus StoredStatus(Alert alert) =>
        alert.Acknowledged || alert.Status == AlertStatus.Acknowledged ? AlertStatus.Acknowledged : AlertStatus.Historical;

    public IEnumerable<string> CreateStatements()
    {
        var columns = string.Join(", ", Columns.Select(c => $"{c.Name} {c.Declaration}"));
        // AUTOINCREMENT as ntopng: row ids are never reused after retention deletes, so a row id seen once stays unambiguous.
        yield return $"CREATE TABLE {Name} (rowid INTEGER PRIMARY KEY AUTOINCREMENT, {columns})";
        yield return $"CREATE INDEX idx_{Name}_tstamp ON {Name} (tstamp)";
        foreach (var column in IndexedColumns)
            yield return $"CREATE INDEX idx_{Name}_{column} ON {Name} ({column}, tstamp)";
    }

    public string InsertSql() =>
        $"INSERT INTO {Name} ({string.Join(", ", InsertColumns.Select(c => c.Name))}) " +
        $"VALUES ({string.Join(", ", InsertColumns.Select(c => "@" + c.Name))})";

    public string SelectSql() => $"SELECT rowid, {string.Join(", ", Columns.Select(c => c.Name))} FROM {Name}";

    /// <summary>The insert values of an alert, taken at once so later changes to the (mutable) alert do not leak in.</summary>
    public Cell[] Values(Alert alert)
    {
        var values = new Cell[InsertColumns.Count];
        for (var i = 0; i < values.Length; i++)
            values[i] = InsertColumns[i].Value!(alert);
        return values;
    }

    public Alert Read(SqliteDataReader row, AlertTypeCatalog catalog)
    {
        long Long(string column) => row.GetInt64(row.GetOrdinal(column));
        int Int(string column) => row.GetInt32(row.GetOrdinal(column));
        bool Bool(string column) => row.GetInt64(row.GetOrdinal(column)) != 0;
        string Text(string column) => row.GetString(row.GetOrdinal(column));
        bool IsNull(string column) => row.IsDBNull(row.GetOrdinal(column));

        var status = (AlertStatus)Int("alert_status");
        return new Alert
        {
            RowId = Long("rowid"),
            Type = catalog.Resolve(Entity, Int("alert_id"), Text("alert_name")),
            Entity = Entity,
            EntityValue = Text("entity_val"),
            Subtype = Text("subtype"),
            Granularity = Int("granularity"),
            Action = Enum.Parse<AlertAction>(Text("action"), ignoreCase: true),
            Score = Int("score"),
            Category = (AlertCategory)Int("alert_category"),
            Tstamp = Long("tstamp"),
            TstampEnd = Long("tstamp_end"),
            Params = JsonNode.Parse(Text("json"))!.AsObject(),
            Message = Text("description"),
            InterfaceId = Int("interface_id"),
            InterfaceName = Text("ifname"),
            Acknowledged = status == AlertStatus.Acknowledged,
            Status = status,
            Flow = IsFlow && !IsNull("cli_ip")
                ? new FlowAlertInfo
                {
                    CliIp = Text("cli_ip"),
                    CliPort = Int("cli_port"),
                    SrvIp = Text("srv_ip"),
                    SrvPort = Int("srv_port"),
                    Proto = Int("proto"),
                    VlanId = Int("vlan_id"),
                    IpVersion = Int("ip_version"),
                    FirstSeen = Long("first_seen"),
                    LastSeen = Long("last_seen"),
                    Cli2SrvBytes = Long("cli2srv_bytes"),
                    Srv2CliBytes = Long("srv2cli_bytes"),
                    Cli2SrvPackets = Long("cli2srv_pkts"),
                    Srv2CliPackets = Long("srv2cli_pkts"),
                    CliIsLocal = Bool("cli_localhost"),
                    SrvIsLocal = Bool("srv_localhost"),
                    IsCliAttacker = Bool("is_cli_attacker"),
                    IsCliVictim = Bool("is_cli_victim"),
                    IsSrvAttacker = Bool("is_srv_attacker"),
                    IsSrvVictim = Bool("is_srv_victim"),
                    FlowScore = Int("flow_score"),
                    L7Proto = Int("l7_proto"),
                    L7MasterProto = Int("l7_master_proto"),
                    L7Name = Text("l7_name"),
                    L7Category = Int("l7_cat"),
                    HostName = Text("host_name"),
                    RiskBitmap = unchecked((ulong)Long("flow_risk_bitmap")),
                    Risks = [.. JsonNode.Parse(Text("risks"))!.AsArray().Select(n => n!.GetValue<string>())],
                    Info = Text("info"),
                }
                : null,
            Host = IsHost && !IsNull("ip")
                ? new HostAlertInfo
                {
                    Ip = Text("ip"),
                    VlanId = Int("vlan_id"),
                    IpVersion = Int("ip_version"),
                    IsLocal = Bool("is_local"),
                    IsAttacker = Bool("is_attacker"),
                    IsVictim = Bool("is_victim"),
                    IsClient = Bool("is_client"),
                    IsServer = Bool("is_server"),
                    Name = Text("name"),
                    Network = Text("network"),
                }
                : null,
        };
    }
}

/// <summary>The store's JSON shapes, generated at build time (no reflection in the ahead-of-time build).</summary>
[JsonSerializable(typeof(IReadOnlyList<string>))]
internal sealed partial class StoreJsonContext : JsonSerializerContext;
