using Tocsin.Testing;

namespace Tocsin.Notifications.Tests;

/// <summary>A test class with a temporary folder and a local HTTP receiver, both gone after each test.</summary>
public abstract class ReceiverTest : IAsyncLifetime
{
    protected TempDirectory Dir { get; } = new();

    protected HttpReceiver Receiver { get; private set; } = null!;

    public virtual async Task InitializeAsync() => Receiver = await HttpReceiver.StartAsync();

    public async Task DisposeAsync()
    {
        await Receiver.DisposeAsync();
        Dir.Dispose();
    }
}
