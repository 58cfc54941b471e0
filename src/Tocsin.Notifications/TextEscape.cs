using System.Text;

namespace Tocsin.Notifications;

/// <summary>
/// Keeps alert text (host names, URLs, user agents: whatever the traffic carried) as data in the formats endpoints
/// write. Plain single-line formats get control characters escaped so a value cannot start a new log record.
/// </summary>
public static class TextEscape
{
    /// <summary>CR, LF and other control characters as visible escapes (\n, \r, \t, \u001b), everything else as is.</summary>
    public static string SingleLine(string text)
    {
        int i = 0;
        while (i < text.Length && !char.IsControl(text[i]))
            i++;
        if (i == text.Length)
            return text;
        var sb = new StringBuilder(text.Length + 16).Append(text, 0, i);
        for (; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '\n':
                    sb.Append("\\n");
                    break;
                case '\r':
                    sb.Append("\\r");
                    break;
                case '\t':
                    sb.Append("\\t");
                    break;
                default:
                    if (char.IsControl(c))
                        sb.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                    else
                        sb.Append(c);
                    break;
            }
        }
        return sb.ToString();
    }

    /// <summary>The first <paramref name="max"/> characters on one line, with "…" when cut: for error reasons.</summary>
    public static string Excerpt(string text, int max)
    {
        var line = SingleLine(text.Trim());
        return line.Length <= max ? line : line[..max] + "…";
    }
}
