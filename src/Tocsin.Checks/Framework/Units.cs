using System.Globalization;

namespace Tocsin.Checks;

/// <summary>Human-readable quantities for alert messages.</summary>
public static class Units
{
    public static string Format(long value, string metric)
    {
        if (metric.EndsWith("bytes", StringComparison.Ordinal))
            return Bytes(value);
        return value.ToString("N0", CultureInfo.InvariantCulture) + " " + metric;
    }

    public static string Bytes(long value)
    {
        string[] units = ["B", "KB", "MB", "GB", "TB", "PB"];
        double v = value;
        int u = 0;
        while (Math.Abs(v) >= 1000 && u < units.Length - 1)
        {
            v /= 1000;
            u++;
        }
        return u == 0 ? $"{value} B" : v.ToString("0.##", CultureInfo.InvariantCulture) + " " + units[u];
    }
}
