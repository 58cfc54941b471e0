namespace Tocsin.Traffic;

/// <summary>
/// A flow table size shared by several tables (the workers'): flows.max bounds the analysis, however its flows are
/// spread. Which flow is refused when the budget runs out then depends on the workers' timing; below it, nothing
/// does.
/// </summary>
public sealed class FlowBudget(int max)
{
    private int used;

    internal bool TryTake()
    {
        if (Interlocked.Increment(ref used) <= max)
            return true;
        Interlocked.Decrement(ref used);
        return false;
    }

    internal void Release() => Interlocked.Decrement(ref used);
}
