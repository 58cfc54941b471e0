using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;

namespace Tocsin.Notifications;

/// <summary>
/// Sends one HTTP request for an endpoint and turns what happened into a <see cref="DeliveryResult"/>, the same way
/// for every HTTP service: 2xx delivered; 408 timeout, 429 rate limited and 5xx retried (with the service's
/// Retry-After header or JSON retry_after); 401/403 auth failures; 400, 413 and 422 (a body the service cannot take)
/// client errors; redirects, 404, 410 and every other status config failures (the URL is wrong for any alert); no
/// answer in time a timeout; no connection a network failure. Reasons never include the URL (it may hold tokens).
/// </summary>
public static class HttpDelivery
{
    /// <summary>Longest wait a service may ask for; beyond it the value is taken as a mistake.</summary>
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromHours(1);

    /// <summary>Most of a response body kept for the reason or answer (the dispatcher redacts it, then keeps less).</summary>
    private const int BodyExcerpt = 2000;

    /// <summary>Most of a response body read at all.</summary>
    private const int BodyLimit = 64 * 1024;

    public static async Task<DeliveryResult> SendAsync(HttpClient client, HttpRequestMessage request, TimeSpan timeout,
        TimeProvider time, CancellationToken cancellation)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        deadline.CancelAfter(timeout);
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
            var body = await ReadBodyAsync(response, deadline.Token).ConfigureAwait(false);
            return Classify(response.StatusCode, response.ReasonPhrase, response.Headers.RetryAfter, body, time.GetUtcNow());
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            return DeliveryResult.Retry(FailureKind.Timeout, $"no answer within {Durations.Format(timeout)}");
        }
        catch (HttpRequestException e)
        {
            return DeliveryResult.Retry(FailureKind.Network, Describe(e));
        }
    }

    /// <summary>The decision for a status code, its headers and body (also used by tests of each HTTP endpoint).</summary>
    public static DeliveryResult Classify(HttpStatusCode status, string? reasonPhrase, RetryConditionHeaderValue? retryAfter, string body,
        DateTimeOffset now)
    {
        int code = (int)status;
        var text = $"HTTP {code} {reasonPhrase ?? status.ToString()}" + (body.Length > 0 ? ": " + TextEscape.Excerpt(body, BodyExcerpt) : "");
        if (code is >= 200 and < 300)
            return DeliveryResult.Delivered(text);
        var after = RetryAfter(retryAfter, now) ?? RetryAfterInBody(body);
        return code switch
        {
            429 => DeliveryResult.Retry(FailureKind.RateLimited, text, after),
            408 => DeliveryResult.Retry(FailureKind.Timeout, text, after),
            >= 500 and < 600 => DeliveryResult.Retry(FailureKind.ServerError, text, after),
            401 or 403 => DeliveryResult.Failed(FailureKind.Auth, text),
            // Only these say something about the body; any other refusal would meet every alert alike.
            400 or 413 or 422 => DeliveryResult.Failed(FailureKind.ClientError, text),
            >= 300 and < 400 => DeliveryResult.Failed(FailureKind.Config, text + " (redirects are not followed: a POST would lose its body)"),
            _ => DeliveryResult.Failed(FailureKind.Config, text),
        };
    }

    /// <summary>A Retry-After header as seconds or an HTTP date.</summary>
    public static TimeSpan? RetryAfter(RetryConditionHeaderValue? header, DateTimeOffset now)
    {
        if (header?.Delta is { } delta)
            return Clamp(delta);
        if (header?.Date is { } date)
            return Clamp(date - now);
        return null;
    }

    /// <summary>A JSON body's <c>retry_after</c> (Slack, Discord: seconds, maybe fractional) or <c>parameters.retry_after</c> (Telegram).</summary>
    public static TimeSpan? RetryAfterInBody(string body)
    {
        if (body.Length == 0 || body.TrimStart() is not ['{', ..])
            return null;
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (Seconds(root) is { } top)
                return top;
            return root.TryGetProperty("parameters", out var parameters) && parameters.ValueKind == JsonValueKind.Object ? Seconds(parameters) : null;
        }
        catch (JsonException)
        {
            return null;
        }

        static TimeSpan? Seconds(JsonElement e) =>
            e.TryGetProperty("retry_after", out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var s) && s >= 0 && s < 1e7
                ? Clamp(TimeSpan.FromSeconds(s))
                : null;
    }

    private static TimeSpan Clamp(TimeSpan t) => t < TimeSpan.Zero ? TimeSpan.Zero : t > MaxRetryAfter ? MaxRetryAfter : t;

    private static async Task<string> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellation)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellation).ConfigureAwait(false);
        // Rented: a response per delivered batch would otherwise allocate BodyLimit bytes each time. The pool may
        // hand out a larger array, so reads stop at BodyLimit, not at its length.
        var buffer = ArrayPool<byte>.Shared.Rent(BodyLimit);
        try
        {
            int total = 0, n;
            while (total < BodyLimit && (n = await stream.ReadAsync(buffer.AsMemory(total, BodyLimit - total), cancellation).ConfigureAwait(false)) > 0)
                total += n;
            return System.Text.Encoding.UTF8.GetString(buffer, 0, total);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>"connection refused", "host name not found": the cause without the URL.</summary>
    private static string Describe(HttpRequestException e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException s)
                return SocketErrors.Describe(s.SocketErrorCode);
        }
        return e.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => "host name not found",
            HttpRequestError.ConnectionError => "connection failed",
            HttpRequestError.SecureConnectionError => "TLS handshake failed",
            HttpRequestError.ResponseEnded => "the server closed the connection before answering",
            HttpRequestError.InvalidResponse => "invalid HTTP response",
            _ => "request failed (" + e.HttpRequestError.ToString() + ")",
        };
    }
}
