using System.Text.Json.Nodes;
using Tocsin.Decode;
using Tocsin.Traffic;

namespace Tocsin.Checks.Tests;

/// <summary>What a test says detection found for a flow.</summary>
internal sealed record TestApplication(int MasterProtocol, int AppProtocol, string ProtocolName, int Category = 0,
    string CategoryName = "", string HostName = "", ulong RiskBitmap = 0, int Breed = 7, string BreedName = "Unrated") : IFlowApplication
{
    public IReadOnlyList<string> RiskNames { get; init; } = [];

    public string Info => HostName;

    public string Evidence { get; init; } = "";

    public string DescribeRisk(int riskId) => Evidence;

    public void WriteDetails(JsonObject parameters) => parameters["proto"] = new JsonObject { ["test"] = ProtocolName };
}

/// <summary>
/// A flow inspector for check tests: labels each flow by its server port from a table, at the first packet or,
/// for ports marked late, only when the flow ends (as a real detector that gives up).
/// </summary>
internal sealed class LabellingInspector(Dictionary<ushort, TestApplication> byServerPort, params ushort[] lateLabelPorts) : IFlowInspector
{
    public bool Inspect(Flow flow, in DecodedPacket packet, ReadOnlySpan<byte> frame, bool fromClient)
    {
        if (lateLabelPorts.Contains(flow.ServerPort))
            return false;
        flow.Application = Label(flow);
        return true;
    }

    public void GiveUp(Flow flow) => flow.Application = Label(flow);

    public void Release(Flow flow)
    {
    }

    private TestApplication? Label(Flow flow) =>
        byServerPort.TryGetValue(flow.ServerPort, out var app) ? app : byServerPort.GetValueOrDefault(flow.ClientPort);
}
