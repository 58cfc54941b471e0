namespace Tocsin.Traffic;

/// <summary>Table bounds and timeouts (defaults as ntopng's).</summary>
public sealed record TrafficOptions
{
    public int MaxFlows { get; init; } = 131072;
    public int MaxHosts { get; init; } = 131072;

    /// <summary>A flow without packets for this long ends.</summary>
    public TimeSpan FlowIdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A TCP flow that was closed (FIN both ways or RST) ends after this long without packets.</summary>
    public TimeSpan TcpCloseTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>A local host without active flows is forgotten after this long.</summary>
    public TimeSpan LocalHostIdleTimeout { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>A remote host without active flows is forgotten after this long.</summary>
    public TimeSpan RemoteHostIdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Long flows get a PeriodicUpdate this often.</summary>
    public TimeSpan FlowPeriodicInterval { get; init; } = TimeSpan.FromSeconds(300);
}
