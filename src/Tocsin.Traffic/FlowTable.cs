using System.Numerics;
using System.Runtime.CompilerServices;

namespace Tocsin.Traffic;

/// <summary>Flows ordered by last packet (oldest first), so expiry only looks at the head.</summary>
internal sealed class FlowList
{
    public Flow? Head;
    public Flow? Tail;
    public int Count;

    public void Append(Flow f)
    {
        f.List = this;
        f.LruPrev = Tail;
        f.LruNext = null;
        if (Tail is null)
            Head = f;
        else
            Tail.LruNext = f;
        Tail = f;
        Count++;
    }

    public void Unlink(Flow f)
    {
        if (f.LruPrev is null)
            Head = f.LruNext;
        else
            f.LruPrev.LruNext = f.LruNext;
        if (f.LruNext is null)
            Tail = f.LruPrev;
        else
            f.LruNext.LruPrev = f.LruPrev;
        f.LruPrev = f.LruNext = null;
        f.List = null;
        Count--;
    }
}

/// <summary>
/// Bounded flow table: open addressing with linear probing and backward-shift deletion (no tombstones), plus two
/// last-seen lists (active and closing) so idle expiry costs O(expired), and recycled Flow objects.
/// Flow objects are reused after they end: never keep a reference past the FlowEnd hook.
/// The slots grow with the flows (kept at most half full) up to what <see cref="MaxFlows"/> needs: a table sized for
/// the limit from the start spread every lookup over megabytes the flows did not need, and on the benchmark cost
/// a tenth of the analysis in cache misses and first-touch page faults.
/// </summary>
public sealed class FlowTable
{
    private const int InitialCapacity = 4096;

    private readonly int maxCapacity;
    private Flow?[] slots;
    private int mask;
    private readonly Stack<Flow> pool = new();
    private long nextId = 1;
    private readonly FlowBudget? budget;

    internal readonly FlowList Active = new();
    internal readonly FlowList Closing = new();

    public FlowTable(int maxFlows, FlowBudget? budget = null)
    {
        if (maxFlows < 1)
            throw new ArgumentOutOfRangeException(nameof(maxFlows));
        MaxFlows = maxFlows;
        this.budget = budget;
        maxCapacity = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, maxFlows * 2));
        slots = new Flow?[Math.Min(maxCapacity, InitialCapacity)];
        mask = slots.Length - 1;
    }

    public int MaxFlows { get; }

    public int Count { get; private set; }

    /// <summary>New flows refused because the table was full.</summary>
    public long Refused { get; private set; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Flow? Find(in FlowKey key, int hash)
    {
        for (int i = hash & mask; ; i = (i + 1) & mask)
        {
            var f = slots[i];
            if (f is null)
                return null;
            if (f.HashCode == hash && f.Key.Equals(key))
                return f;
        }
    }

    public Flow? Find(in FlowKey key) => Find(key, key.GetHashCode());

    /// <summary>
    /// Reserves room for a new flow, in the budget shared with other tables if there is one; when full, counts the flow
    /// as refused. A reservation that is not followed by <see cref="Add"/> is given back with <see cref="Unreserve"/>.
    /// </summary>
    internal bool Reserve()
    {
        if (Count < MaxFlows && (budget is null || budget.TryTake()))
            return true;
        Refused++;
        return false;
    }

    internal void Unreserve() => budget?.Release();

    /// <summary>Inserts a new flow; the caller reserved room with <see cref="Reserve"/>.</summary>
    internal Flow Add(in FlowKey key, int hash, long nowNs)
    {
        var f = pool.Count > 0 ? pool.Pop() : new Flow();
        f.Key = key;
        f.HashCode = hash;
        f.Id = nextId++;
        f.FirstSeenNs = f.LastSeenNs = nowNs;
        if ((Count + 1) * 2 > slots.Length && slots.Length < maxCapacity)
            Grow();
        Place(f);
        Count++;
        Active.Append(f);
        return f;
    }

    private void Place(Flow f)
    {
        int i = f.HashCode & mask;
        while (slots[i] is not null)
            i = (i + 1) & mask;
        slots[i] = f;
    }

    private void Grow()
    {
        var old = slots;
        slots = new Flow?[old.Length * 2];
        mask = slots.Length - 1;
        foreach (var f in old)
        {
            if (f is not null)
                Place(f);
        }
    }

    /// <summary>Moves a flow to the tail of its list after a packet (and to the closing list once closed).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Touch(Flow f)
    {
        var target = f.IsClosing ? Closing : Active;
        if (f.List == target && f.LruNext is null)
            return;
        f.List!.Unlink(f);
        target.Append(f);
    }

    internal void Remove(Flow f)
    {
        f.List?.Unlink(f);
        int i = f.HashCode & mask;
        while (!ReferenceEquals(slots[i], f))
            i = (i + 1) & mask;
        slots[i] = null;
        Count--;
        budget?.Release();
        // Backward shift: pull later entries of the probe run into the hole so lookups never stop early.
        for (int j = (i + 1) & mask; slots[j] is { } next; j = (j + 1) & mask)
        {
            int ideal = next.HashCode & mask;
            bool stays = i <= j ? ideal > i && ideal <= j : ideal > i || ideal <= j;
            if (stays)
                continue;
            slots[i] = next;
            slots[j] = null;
            i = j;
        }
        f.Reset();
        pool.Push(f);
    }

    /// <summary>Every flow in the table (active then closing), oldest activity first.</summary>
    public IEnumerable<Flow> All()
    {
        for (var f = Active.Head; f is not null; f = f.LruNext)
            yield return f;
        for (var f = Closing.Head; f is not null; f = f.LruNext)
            yield return f;
    }
}
