using System.Text.Encodings.Web;
using System.Text.RegularExpressions;

namespace Tocsin.Notifications;

/// <summary>
/// Replaces a recipient's secrets with *** in any text that leaves the dispatcher (logs, statistics, command output),
/// including their JSON- and URL-escaped forms, since a service may echo the request in its error. A secret shorter
/// than <see cref="MinTokenLength"/> is masked only where it stands alone: "1" or "ab12" also occur by chance inside
/// other words and numbers ("HTTP 401"), which masking would garble.
/// </summary>
public sealed class SecretRedactor
{
    /// <summary>Strings this long are taken for tokens, masked wherever they occur.</summary>
    public const int MinTokenLength = 8;

    private readonly string[] secrets;
    private readonly Regex[] shortSecrets;

    public SecretRedactor(IEnumerable<string> secrets)
    {
        var all = secrets.Where(s => s.Length > 0)
            .SelectMany(s => new[] { s, JavaScriptEncoder.Default.Encode(s), JavaScriptEncoder.UnsafeRelaxedJsonEscaping.Encode(s), Uri.EscapeDataString(s) })
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(s => s.Length)
            .ToList();
        this.secrets = [.. all.Where(s => s.Length >= MinTokenLength)];
        shortSecrets = [.. all.Where(s => s.Length < MinTokenLength)
            .Select(s => new Regex($@"(?<![\p{{L}}\p{{N}}]){Regex.Escape(s)}(?![\p{{L}}\p{{N}}])", RegexOptions.CultureInvariant))];
    }

    public string Redact(string text)
    {
        foreach (var secret in secrets)
            text = text.Replace(secret, EndpointParameter.Mask, StringComparison.Ordinal);
        foreach (var secret in shortSecrets)
            text = secret.Replace(text, EndpointParameter.Mask);
        return text;
    }
}
