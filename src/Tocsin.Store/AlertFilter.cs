using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Tocsin.Alerts;

namespace Tocsin.Store;

/// <summary>
/// Turns an <see cref="AlertQuery"/> into SQL conditions. Filter values are attacker-controlled (entity values, IPs
/// come off the wire), so the SQL only ever names parameters; <see cref="Bind"/> supplies the values.
/// </summary>
internal static class AlertFilter
{
    /// <summary>The conditions for one table, or null when the query cannot match anything in it (e.g. a port on host alerts).</summary>
    public static List<string>? Conditions(AlertQuery query, AlertTable table)
    {
        var conditions = new List<string>();
        if (query.From is not null)
            conditions.Add("tstamp >= @from");
        if (query.To is not null)
            conditions.Add("tstamp <= @to");
        if (query.TypeIds is not null || query.Types is not null)
        {
            var lists = new List<string>();
            if (query.TypeIds is not null)
                lists.Add("alert_id IN (SELECT value FROM json_each(@type_ids))");
            if (query.Types is not null)
                lists.Add($"alert_id IN (SELECT value FROM json_each({TypesParameter(AlertType.SpaceOf(table.Entity))}))");
            conditions.Add(lists.Count == 1 ? lists[0] : $"({string.Join(" OR ", lists)})");
        }
        if (query.MinSeverity is not null)
            conditions.Add("severity >= @min_severity");
        if (query.MinScore is not null)
            conditions.Add("score >= @min_score");
        if (query.EntityValue is not null)
            conditions.Add("entity_val = @entity_val");
        if (query.Status is not null)
            conditions.Add("alert_status = @status");
        if (query.Ip is not null)
        {
            if (table.IsFlow)
                conditions.Add("(cli_ip = @ip OR srv_ip = @ip)");
            else if (table.IsHost)
                conditions.Add("ip = @ip");
            else
                return null;
        }
        if (query.Port is not null)
        {
            if (!table.IsFlow)
                return null;
            conditions.Add("(cli_port = @port OR srv_port = @port)");
        }
        if (!AddFlowOnly(conditions, table, query.CliIp, "cli_ip")
            || !AddFlowOnly(conditions, table, query.SrvIp, "srv_ip")
            || !AddFlowOnly(conditions, table, query.CliPort, "cli_port")
            || !AddFlowOnly(conditions, table, query.SrvPort, "srv_port"))
        {
            return null;
        }
        if (query.VlanId is not null)
        {
            if (!table.HasVlan)
                return null;
            conditions.Add("vlan_id = @vlan_id");
        }
        return conditions;
    }

    public static string Where(IReadOnlyList<string> conditions) =>
        conditions.Count == 0 ? "" : " WHERE " + string.Join(" AND ", conditions);

    public static void Bind(SqliteCommand command, AlertQuery query)
    {
        void Add(string name, object? value)
        {
            if (value is not null)
                command.Parameters.AddWithValue(name, value);
        }

        Add("@from", query.From);
        Add("@to", query.To);
        // One JSON array parameter for the id list: the SQL text stays fixed whatever the list holds.
        Add("@type_ids", query.TypeIds is { } ids ? IdArray(ids) : null);
        foreach (var space in Enum.GetValues<AlertTypeSpace>())
            Add(TypesParameter(space), query.Types is { } types ? IdArray(types.Where(t => t.Space == space).Select(t => t.Id)) : null);
        Add("@min_severity", (int?)query.MinSeverity);
        Add("@min_score", query.MinScore);
        Add("@entity_val", query.EntityValue);
        Add("@status", (int?)query.Status);
        Add("@ip", query.Ip);
        Add("@cli_ip", query.CliIp);
        Add("@srv_ip", query.SrvIp);
        Add("@port", query.Port);
        Add("@cli_port", query.CliPort);
        Add("@srv_port", query.SrvPort);
        Add("@vlan_id", query.VlanId);
    }

    private static string IdArray(IEnumerable<int> ids) => new JsonArray([.. ids.Select(id => (JsonNode?)id)]).ToJsonString();

    private static string TypesParameter(AlertTypeSpace space) => "@types_" + space.ToString().ToLowerInvariant();

    private static bool AddFlowOnly(List<string> conditions, AlertTable table, object? value, string column)
    {
        if (value is null)
            return true;
        if (!table.IsFlow)
            return false;
        conditions.Add($"{column} = @{column}");
        return true;
    }
}
