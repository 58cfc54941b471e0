namespace Tocsin.Alerts;

/// <summary>ntopng's 8 alert levels (AlertLevel), with their numeric ids.</summary>
public enum Severity : byte
{
    None = 0,
    Debug = 1,
    Info = 2,
    Notice = 3,
    Warning = 4,
    Error = 5,
    Critical = 6,
    Alert = 7,
    Emergency = 8,
}

/// <summary>Score ↔ severity mapping as ntopng's Utils::mapScoreToSeverity / mapSeverityToScore.</summary>
public static class Scores
{
    public const int Info = 1;
    public const int Notice = 10;
    public const int Warning = 50;
    public const int Error = 100;
    public const int Critical = 200;
    public const int Emergency = 250;

    /// <summary>Highest score one side (client or server) of a flow can carry.</summary>
    public const int MaxPerSide = 250;

    public static Severity ToSeverity(int score) => score switch
    {
        < 1 => Severity.None,
        < 10 => Severity.Info,
        < 50 => Severity.Notice,
        < 100 => Severity.Warning,
        < 200 => Severity.Error,
        < 250 => Severity.Critical,
        _ => Severity.Emergency,
    };

    /// <summary>The severities some score maps to: the only ones a check's severity can be set to.</summary>
    public static IReadOnlyList<Severity> Scored { get; } =
        [Severity.Info, Severity.Notice, Severity.Warning, Severity.Error, Severity.Critical, Severity.Emergency];

    /// <summary>The score of one of the <see cref="Scored"/> severities. ntopng also gives debug 1 (read back as info)
    /// and alert 150 (read back as error, below critical): no score keeps those where they rank, so they have none.</summary>
    public static int FromSeverity(Severity severity) => severity switch
    {
        Severity.Info => Info,
        Severity.Notice => Notice,
        Severity.Warning => Warning,
        Severity.Error => Error,
        Severity.Critical => Critical,
        Severity.Emergency => Emergency,
        _ => throw new ArgumentOutOfRangeException(nameof(severity), severity, "no score maps back to this severity"),
    };

    /// <summary>Syslog severity for an alert level (spec §1.2; 'alert' keeps 5.2's value 1).</summary>
    public static int ToSyslog(Severity severity) => severity switch
    {
        Severity.None => 7,
        Severity.Debug => 7,
        Severity.Info => 6,
        Severity.Notice => 5,
        Severity.Warning => 4,
        Severity.Error => 3,
        Severity.Critical => 2,
        Severity.Alert => 1,
        _ => 0,
    };

    public static string Name(this Severity severity) => severity.ToString().ToLowerInvariant();

    public static bool TryParse(string? text, out Severity severity) =>
        Enum.TryParse(text, ignoreCase: true, out severity) && Enum.IsDefined(severity) && !int.TryParse(text, out _);
}
