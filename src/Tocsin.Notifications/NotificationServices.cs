using Microsoft.Extensions.DependencyInjection;

namespace Tocsin.Notifications;

/// <summary>Registration of the notification services in a Generic Host.</summary>
public static class NotificationServices
{
    public const string HttpClientName = "tocsin-notifications";

    /// <summary>
    /// The HTTP client endpoints use: redirects are not followed (a POST would lose its body), connections are
    /// recycled so DNS changes are seen, and the factory's request logging is removed because URLs may hold tokens.
    /// </summary>
    public static IServiceCollection AddNotificationHttpClient(this IServiceCollection services)
    {
        services.AddHttpClient(HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                ConnectTimeout = TimeSpan.FromSeconds(30),
            })
            .ConfigureHttpClient(c => c.Timeout = Timeout.InfiniteTimeSpan)
            .RemoveAllLoggers();
        return services;
    }

    /// <summary>
    /// The queue writer (an <see cref="Tocsin.Alerts.IAlertSink"/> to add to the alert engine) and the dispatcher,
    /// both hosted services, for <paramref name="config"/>'s recipients on the already opened <paramref name="queue"/>.
    /// </summary>
    public static IServiceCollection AddTocsinNotifications(this IServiceCollection services, NotificationConfig config,
        NotificationQueue queue, NotificationOptions? options = null)
    {
        services.AddNotificationHttpClient();
        services.AddSingleton(config);
        services.AddSingleton(queue);
        services.AddSingleton(options ?? new NotificationOptions());
        services.AddSingleton<NotificationDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<NotificationDispatcher>());
        services.AddSingleton<NotificationWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<NotificationWriter>());
        return services;
    }
}
