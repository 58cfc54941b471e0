namespace Tocsin.Checks;

/// <summary>Periods at which threshold checks run (ntopng's min / 5mins / hour / day), in seconds.</summary>
public enum Granularity
{
    Minute = 60,
    FiveMinutes = 300,
    Hour = 3600,
    Day = 86400,
}

public static class Granularities
{
    public static IReadOnlyList<Granularity> All { get; } = [Granularity.Minute, Granularity.FiveMinutes, Granularity.Hour, Granularity.Day];

    public static int Seconds(this Granularity g) => (int)g;

    /// <summary>The config key: min, 5min, hour, day.</summary>
    public static string Key(this Granularity g) => g switch
    {
        Granularity.Minute => "min",
        Granularity.FiveMinutes => "5min",
        Granularity.Hour => "hour",
        _ => "day",
    };

    public static string Noun(this Granularity g) => g switch
    {
        Granularity.Minute => "minute",
        Granularity.FiveMinutes => "5 minutes",
        Granularity.Hour => "hour",
        _ => "day",
    };
}
