using System.Globalization;

namespace Tocsin.Notifications;

/// <summary>Durations as the config file writes them: seconds, or a number with ms, s, m, h or d.</summary>
public static class Durations
{
    /// <summary>Reads <paramref name="text"/>; false with <paramref name="error"/> saying why (wrong form, not a finite
    /// number, negative, or beyond <see cref="TimeSpan.MaxValue"/>) so the caller can name the setting.</summary>
    public static bool TryParse(string text, out TimeSpan duration, out string error)
    {
        duration = default;
        error = "";
        var t = text.Trim();
        double factor = 1;
        if (t.EndsWith("ms", StringComparison.OrdinalIgnoreCase))
        {
            factor = 0.001;
            t = t[..^2];
        }
        else if (t.Length > 0 && char.IsLetter(t[^1]))
        {
            factor = char.ToLowerInvariant(t[^1]) switch
            {
                's' => 1,
                'm' => 60,
                'h' => 3600,
                'd' => 86400,
                _ => -1,
            };
            t = t[..^1];
        }
        if (factor < 0 || !double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var n))
            error = $"expected a duration such as 30s, 5m, 2h or 365d, got '{text}'";
        // double.TryParse takes "NaN" and "Infinity", which TimeSpan cannot hold.
        else if (!double.IsFinite(n))
            error = $"'{text}' is not a finite duration";
        else if (n < 0)
            error = $"must not be negative, got '{text}'";
        else if (n * factor >= TimeSpan.MaxValue.TotalSeconds)
            error = $"'{text}' is longer than the longest duration, {Format(TimeSpan.FromDays(Math.Floor(TimeSpan.MaxValue.TotalDays)))}";
        else
            duration = TimeSpan.FromSeconds(n * factor);
        return error.Length == 0;
    }

    /// <summary>Short text in the largest whole unit: 250ms, 90s, 5m, 1h, 365d.</summary>
    public static string Format(TimeSpan d)
    {
        if (d.Ticks % TimeSpan.TicksPerSecond != 0)
            return d.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture) + "ms";
        long s = d.Ticks / TimeSpan.TicksPerSecond;
        return s == 0 ? "0s"
            : s % 86400 == 0 ? $"{s / 86400}d"
            : s % 3600 == 0 ? $"{s / 3600}h"
            : s % 60 == 0 ? $"{s / 60}m"
            : $"{s}s";
    }
}

/// <summary>A token-bucket rate: <see cref="Count"/> requests per <see cref="Per"/>, in bursts of up to <see cref="Count"/>.</summary>
public readonly record struct RateLimit(int Count, TimeSpan Per)
{
    public double PerSecond => Count / Per.TotalSeconds;

    /// <summary>"20/s", "100/m", "1000/h".</summary>
    public static bool TryParse(string text, out RateLimit rate)
    {
        rate = default;
        var parts = text.Split('/', StringSplitOptions.TrimEntries);
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < 1)
            return false;
        var per = parts[1].ToLowerInvariant() switch
        {
            "s" or "sec" or "second" => TimeSpan.FromSeconds(1),
            "m" or "min" or "minute" => TimeSpan.FromMinutes(1),
            "h" or "hour" => TimeSpan.FromHours(1),
            _ => TimeSpan.Zero,
        };
        if (per == TimeSpan.Zero)
            return false;
        rate = new RateLimit(count, per);
        return true;
    }

    public override string ToString() =>
        $"{Count.ToString(CultureInfo.InvariantCulture)}/{(Per == TimeSpan.FromSeconds(1) ? "s" : Per == TimeSpan.FromMinutes(1) ? "m" : "h")}";
}
