using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Tocsin.Notifications.Tests;

/// <summary>What a receiver answers: a status, a body, headers, after an optional delay.</summary>
public sealed record Reply(int Status = 200, string Body = "", IReadOnlyDictionary<string, string>? Headers = null, TimeSpan Delay = default)
{
    public static Reply Ok { get; } = new();
}

/// <summary>One request as a Kestrel receiver got it.</summary>
public sealed record ReceivedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body, DateTimeOffset At)
{
    public string Text => System.Text.Encoding.UTF8.GetString(Body);

    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;
}

/// <summary>
/// A real HTTP server on loopback (Kestrel) that records every request and answers as <see cref="Respond"/> says,
/// so endpoints are tested against the HTTP stack they meet in production.
/// </summary>
public sealed class HttpReceiver : IAsyncDisposable
{
    private readonly WebApplication app;
    private int count;

    private HttpReceiver(WebApplication app) => this.app = app;

    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    /// <summary>The answer to the n-th request (0-based); 200 by default.</summary>
    public Func<ReceivedRequest, int, Reply> Respond { get; set; } = (_, _) => Reply.Ok;

    public int Port { get; private set; }

    public string Url(string path = "/hook") => $"http://127.0.0.1:{Port}{path}";

    /// <summary>Requests answered with 2xx, in arrival order.</summary>
    public IReadOnlyList<ReceivedRequest> Accepted => [.. accepted];

    private readonly ConcurrentQueue<ReceivedRequest> accepted = new();

    public static async Task<HttpReceiver> StartAsync(int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var receiver = new HttpReceiver(app);
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Port = new Uri(address).Port;
        return receiver;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var request = new ReceivedRequest(context.Request.Method, context.Request.Path + context.Request.QueryString, headers, body.ToArray(), DateTimeOffset.UtcNow);
        Requests.Enqueue(request);
        var reply = Respond(request, Interlocked.Increment(ref count) - 1);
        if (reply.Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(reply.Delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
        context.Response.StatusCode = reply.Status;
        foreach (var (name, value) in reply.Headers ?? new Dictionary<string, string>())
            context.Response.Headers[name] = value;
        // Accepted when the answer goes out: a client that gave up during the delay did not get it.
        if (reply.Status is >= 200 and < 300)
            accepted.Enqueue(request);
        if (reply.Body.Length > 0)
            await context.Response.WriteAsync(reply.Body);
    }

    /// <summary>Waits until <paramref name="condition"/> holds for the accepted requests.</summary>
    public async Task WaitAsync(Func<IReadOnlyList<ReceivedRequest>, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition(Accepted))
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"receiver condition not met within {timeout} ({Accepted.Count} accepted, {Requests.Count} received)");
            await Task.Delay(10);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
