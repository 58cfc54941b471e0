using Tocsin.Alerts;

namespace Tocsin.Store;

/// <summary>Filters for reading stored alerts. Unset fields do not filter.</summary>
public sealed record AlertQuery
{
    /// <summary>Restrict to one family (table); null reads every family.</summary>
    public AlertEntity? Entity { get; init; }

    /// <summary>Inclusive bounds on tstamp, epoch seconds.</summary>
    public long? From { get; init; }
    public long? To { get; init; }

    /// <summary>Alert type ids, matched in every queried family (a bare number names no id space).</summary>
    public IReadOnlyList<int>? TypeIds { get; init; }

    /// <summary>Alert types, each matched only in the families of its own id space: host and flow ids overlap.
    /// With <see cref="TypeIds"/>, an alert matching either list is kept.</summary>
    public IReadOnlyList<AlertType>? Types { get; init; }

    public Severity? MinSeverity { get; init; }
    public int? MinScore { get; init; }
    public string? EntityValue { get; init; }

    /// <summary>Matches a host alert's ip, or either end of a flow alert.</summary>
    public string? Ip { get; init; }
    public string? CliIp { get; init; }
    public string? SrvIp { get; init; }

    /// <summary>Matches either port of a flow alert.</summary>
    public int? Port { get; init; }
    public int? CliPort { get; init; }
    public int? SrvPort { get; init; }
    public int? VlanId { get; init; }
    public AlertStatus? Status { get; init; }

    public int Limit { get; init; } = 100;
    public int Offset { get; init; }

    /// <summary>Newest first by default.</summary>
    public bool Ascending { get; init; }
}

/// <summary>What a retention pass removed.</summary>
public sealed record RetentionResult(long DeletedByAge, long DeletedByCount);

/// <summary>
/// Keeps released and stored alerts (engaged ones live in the engine). Writes are buffered and committed in
/// batches; <see cref="Flush"/> commits what is pending.
/// </summary>
public interface IAlertStore : IDisposable
{
    /// <summary>Adds a released or stored alert; engage events are ignored. Sets <see cref="Alert.RowId"/> once committed.</summary>
    void Add(Alert alert);

    void Flush();

    IReadOnlyList<Alert> Query(AlertQuery query);

    long Count(AlertQuery query);

    /// <summary>Marks matching historical alerts acknowledged; returns how many changed.</summary>
    int Acknowledge(AlertQuery query);

    /// <summary>Deletes alerts older than <paramref name="maxAge"/> (relative to <paramref name="now"/>, epoch seconds) and keeps at most <paramref name="maxPerFamily"/> newest rows per family.</summary>
    RetentionResult ApplyRetention(TimeSpan maxAge, long maxPerFamily, long now);
}
