using System.Text.Encodings.Web;

namespace Tocsin.Notifications;

/// <summary>
/// Replaces a recipient's secrets with *** in any text that leaves the dispatcher (logs, statistics, command output),
/// including their JSON- and URL-escaped forms, since a service may echo the request in its error.
/// </summary>
public sealed class SecretRedactor
{
    private readonly string[] secrets;

    public SecretRedactor(IEnumerable<string> secrets) =>
        this.secrets = [.. secrets.Where(s => s.Length > 0)
            .SelectMany(s => new[] { s, JavaScriptEncoder.Default.Encode(s), JavaScriptEncoder.UnsafeRelaxedJsonEscaping.Encode(s), Uri.EscapeDataString(s) })
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(s => s.Length)];

    public string Redact(string text)
    {
        foreach (var secret in secrets)
            text = text.Replace(secret, EndpointParameter.Mask, StringComparison.Ordinal);
        return text;
    }
}
