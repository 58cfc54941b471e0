using System.Collections.Concurrent;
using Tocsin.Testing;

namespace Tocsin.Ndpi.Tests;

/// <summary>One shared capture through the pipeline, with ndpiReader's result for it.</summary>
internal sealed record CaptureOutcome(string Capture, CaptureRun Run, NdpiResult Reference, long InspectedPackets, long LiveNativeFlowsAfter);

/// <summary>
/// Every shared capture analysed once for the whole test class, each with a fresh nDPI module (as ndpiReader
/// runs once per file: nDPI's caches must not carry over), in parallel, one module per thread.
/// </summary>
public sealed class SharedCaptureRuns
{
    public SharedCaptureRuns()
    {
        var outcomes = new ConcurrentBag<CaptureOutcome>();
        Parallel.ForEach(SharedData.NdpiCaptures(), capture =>
        {
            using var inspector = new NdpiInspector(CaptureRun.SharedLists());
            var run = CaptureRun.Run(capture, inspector);
            outcomes.Add(new CaptureOutcome(capture, run, NdpiResult.Load(capture), inspector.InspectedPackets, inspector.LiveNativeFlows));
        });
        Outcomes = [.. outcomes.OrderBy(o => o.Capture, StringComparer.Ordinal)];
    }

    internal IReadOnlyList<CaptureOutcome> Outcomes { get; }
}
