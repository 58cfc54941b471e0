using Tocsin.Decode;
using Tocsin.Traffic;

namespace Tocsin.Ndpi;

/// <summary>
/// Application-protocol detection with nDPI, one instance per worker thread (it owns its <see cref="NdpiModule"/>).
/// Each flow gets a native nDPI flow at its first packet and is fed its IP packets until detection ends, with
/// ndpiReader 4.2's rule so that results match it: stop once a protocol is found and nDPI wants no more packets,
/// or after 80 TCP / 24 UDP packets; an undetected flow then gets nDPI's guess (by port or address). The result
/// is copied to <see cref="Flow.Application"/> (an <see cref="NdpiApplication"/>) and the native flow freed at once.
/// </summary>
public sealed class NdpiInspector : IFlowInspector, IDisposable
{
    /// <summary>ndpiReader's max_num_tcp_dissected_pkts and max_num_udp_dissected_pkts.</summary>
    public const int MaxTcpPackets = 80;

    public const int MaxUdpPackets = 24;

    /// <summary>Per-flow state objects are reused: no allocation per flow beyond the result.</summary>
    private readonly Stack<FlowState> spare = new();

    /// <param name="options">The list files to load; null for none.</param>
    /// <exception cref="NdpiUnavailableException">nDPI 4.2 or the shim is missing or of another version.</exception>
    public NdpiInspector(NdpiOptions? options = null)
    {
        Module = new NdpiModule(options);
    }

    public NdpiModule Module { get; }

    /// <summary>The native module; throws once disposed, so no call reaches freed memory.</summary>
    private nint ModuleHandle => Module.Handle;

    /// <summary>Packets handed to nDPI.</summary>
    public long InspectedPackets { get; private set; }

    /// <summary>Flows whose detection finished (found, guessed or given up).</summary>
    public long ConcludedFlows { get; private set; }

    /// <summary>Native nDPI flows not yet freed: those still being inspected.</summary>
    public long LiveNativeFlows => Module.LiveFlows;

    public unsafe bool Inspect(Flow flow, in DecodedPacket packet, ReadOnlySpan<byte> frame, bool fromClient)
    {
        int l3 = packet.L3Offset;
        if ((uint)l3 >= (uint)frame.Length)
            return false;
        var state = flow.InspectorState as FlowState ?? Begin(flow);

        // ndpiReader counts the packet being inspected, both directions, and compares with ">".
        long packets = flow.TotalPackets;
        bool enough = (packet.Protocol == IpProtocol.Tcp && packets > MaxTcpPackets)
            || (packet.Protocol == IpProtocol.Udp && packets > MaxUdpPackets);

        NdpiShimResult result;
        fixed (byte* p = frame)
        {
            NdpiNative.ProcessPacket(ModuleHandle, state.Native, p + l3, (ushort)Math.Min(frame.Length - l3, ushort.MaxValue),
                (ulong)(flow.LastSeenNs / 1_000_000), &result);
        }
        InspectedPackets++;

        if (!enough && (result.AppProtocol == 0 || result.ExtraDissectionPossible != 0))
            return false;
        if (result.AppProtocol == 0)
            NdpiNative.GiveUp(ModuleHandle, state.Native, 1, &result);
        Conclude(flow, state, in result);
        return true;
    }

    /// <summary>The flow ends before detection completed: nDPI's giveup (with guessing), as ndpiReader does at the end of a capture.</summary>
    public unsafe void GiveUp(Flow flow)
    {
        if (flow.InspectorState is not FlowState state)
            return;
        NdpiShimResult result;
        NdpiNative.GiveUp(ModuleHandle, state.Native, 1, &result);
        Conclude(flow, state, in result);
    }

    public void Release(Flow flow)
    {
        if (flow.InspectorState is FlowState state)
            Free(flow, state);
    }

    /// <summary>Frees the module; flows still being inspected must have been released first.</summary>
    public void Dispose() => Module.Dispose();

    private FlowState Begin(Flow flow)
    {
        nint native = NdpiNative.FlowNew(ModuleHandle);
        if (native == 0)
            throw new OutOfMemoryException("nDPI could not allocate a flow");
        var state = spare.Count > 0 ? spare.Pop() : new FlowState();
        state.Native = native;
        flow.InspectorState = state;
        return state;
    }

    private void Conclude(Flow flow, FlowState state, in NdpiShimResult result)
    {
        flow.Application = NdpiApplication.Read(Module, state.Native, in result);
        ConcludedFlows++;
        Free(flow, state);
    }

    private void Free(Flow flow, FlowState state)
    {
        NdpiNative.FlowFree(ModuleHandle, state.Native);
        state.Native = 0;
        flow.InspectorState = null;
        spare.Push(state);
    }

    private sealed class FlowState
    {
        public nint Native;
    }
}
