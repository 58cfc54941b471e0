using System.Runtime.CompilerServices;

namespace Tocsin.Notifications.Tests;

internal static class ThreadPoolSetup
{
    /// <summary>
    /// The test host keeps two pool threads blocked for the whole run (vstest's message loop, xunit's assembly runner),
    /// which on a 2-core machine leaves one worker, and the pool adds threads only every half second when it starves:
    /// timers then fire hundreds of milliseconds late and every timing assertion turns into noise.
    /// </summary>
    [ModuleInitializer]
    internal static void Initialize()
    {
        ThreadPool.GetMinThreads(out int workers, out int io);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), Math.Max(io, 32));
    }
}
