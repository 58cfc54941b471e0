using System.Buffers;
using System.Text;

namespace Tocsin.Traffic;

/// <summary>Text taken off the wire (host names, URLs, banners) made safe for one-line alert messages.</summary>
public static class WireText
{
    // Line and paragraph separators and the bidirectional overrides: log viewers break lines or reorder text on them.
    private static readonly SearchValues<char> Unsafe = SearchValues.Create(
        "\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000a\u000b\u000c\u000d\u000e\u000f" +
        "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f" +
        "\u007f\u0080\u0081\u0082\u0083\u0084\u0085\u0086\u0087\u0088\u0089\u008a\u008b\u008c\u008d\u008e\u008f" +
        "\u0090\u0091\u0092\u0093\u0094\u0095\u0096\u0097\u0098\u0099\u009a\u009b\u009c\u009d\u009e\u009f" +
        "\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069");

    /// <summary>
    /// Control characters, line separators and bidirectional controls become '?'; past <paramref name="maxLength"/>
    /// characters the text is cut (never inside a surrogate pair) and ends with "…".
    /// </summary>
    public static string Clean(string value, int maxLength = 120)
    {
        int length = value.Length;
        bool clip = length > maxLength;
        if (clip)
            length = char.IsHighSurrogate(value[maxLength - 1]) ? maxLength - 1 : maxLength;
        var span = value.AsSpan(0, length);
        if (!clip && !span.ContainsAny(Unsafe))
            return value;
        var text = new StringBuilder(length + 1);
        foreach (var c in span)
            text.Append(Unsafe.Contains(c) ? '?' : c);
        if (clip)
            text.Append('…');
        return text.ToString();
    }
}
