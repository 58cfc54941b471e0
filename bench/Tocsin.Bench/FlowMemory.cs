using Tocsin.Alerts;
using Tocsin.Capture;
using Tocsin.Checks;
using Tocsin.Decode;
using Tocsin.Traffic;

namespace Tocsin.Bench;

/// <summary>Managed memory held per flow (with its two hosts) by the flow and host tables, measured by the GC.</summary>
public static class FlowMemory
{
    public static int Measure(int flows)
    {
        var checks = CheckCatalog.Discover();
        var runner = new FlowChecksRunner(checks.All, new AlertEngine(), new InterfaceInfo(0, "bench"));
        var tracker = new TrafficTracker(new TrafficOptions { MaxFlows = flows * 2, MaxHosts = flows * 4 }, LocalNetworks.None, runner);
        runner.Attach(tracker);
        var decoder = new PacketDecoder();
        DecodedPacket p = default;
        long before = Allocated();
        for (int i = 0; i < flows; i++)
        {
            // Distinct client and server per flow: the worst case, every flow brings two new hosts.
            var frame = PacketBuilder.Tcp(IpAddr.FromV4(0x0A00_0000u + (uint)i), 40000, IpAddr.FromV4(0xC000_0000u + (uint)i), 443, TcpFlags.Syn, 1);
            decoder.Decode(frame, LinkType.Ethernet, frame.Length, ref p);
            tracker.Process(in p, frame, 1_700_000_000L * 1_000_000_000 + i);
        }
        long after = Allocated();
        GC.KeepAlive(tracker);
        Console.WriteLine($"flows={flows} hosts={tracker.Hosts.Count} bytes_per_flow_with_two_hosts={(after - before) / flows}");
        return 0;
    }

    private static long Allocated()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
