using System.Numerics;

namespace Tocsin.Traffic;

/// <summary>
/// Counts distinct values in bounded memory: exactly up to <see cref="ExactLimit"/> values, then with a
/// HyperLogLog sketch (1024 registers, about 3 % error) so a scanner touching thousands of peers costs 1 KiB.
/// </summary>
public struct DistinctCounter
{
    public const int ExactLimit = 64;
    private const int RegisterBits = 10;
    private const int Registers = 1 << RegisterBits;

    // Both arrays outlive the mode they serve, so that a cleared counter fills again without allocating; the exact
    // table is emptied when the sketch takes over.
    private ulong[]? exact;
    private int exactCount;
    private byte[]? sketch;
    private bool sketching;

    public readonly long Count => sketching ? Estimate(sketch!) : exactCount;

    public readonly bool IsExact => !sketching;

    public void Add(ulong value) => AddHash(Mix(value));

    /// <summary>Merges another counter's values in: the result equals having added them here.</summary>
    public void Add(in DistinctCounter other)
    {
        if (other.sketching)
        {
            if (!sketching)
                ToSketch();
            for (int i = 0; i < Registers; i++)
                sketch![i] = Math.Max(sketch[i], other.sketch![i]);
        }
        else if (other.exactCount > 0)
        {
            foreach (var h in other.exact!)
            {
                if (h != 0)
                    AddHash(h);
            }
        }
    }

    private void AddHash(ulong h)
    {
        if (sketching)
        {
            AddToSketch(sketch!, h);
            return;
        }
        exact ??= new ulong[16];
        if (!TryInsert(exact, h))
            return;
        exactCount++;
        if (exactCount > ExactLimit)
        {
            ToSketch();
        }
        else if (exactCount * 2 > exact.Length)
        {
            var grown = new ulong[exact.Length * 2];
            foreach (var stored in exact)
            {
                if (stored != 0)
                    TryInsert(grown, stored);
            }
            exact = grown;
        }
    }

    private void ToSketch()
    {
        sketch ??= new byte[Registers];
        if (exactCount > 0)
        {
            foreach (var stored in exact!)
            {
                if (stored != 0)
                    AddToSketch(sketch, stored);
            }
            Array.Clear(exact);
            exactCount = 0;
        }
        sketching = true;
    }

    /// <summary>Starts a new interval, keeping the allocated memory.</summary>
    public void Clear()
    {
        if (sketching)
        {
            Array.Clear(sketch!);
            sketching = false;
        }
        else if (exactCount > 0)
        {
            Array.Clear(exact!);
            exactCount = 0;
        }
    }

    private static bool TryInsert(ulong[] table, ulong h)
    {
        int mask = table.Length - 1;
        for (int i = (int)h & mask; ; i = (i + 1) & mask)
        {
            if (table[i] == h)
                return false;
            if (table[i] == 0)
            {
                table[i] = h;
                return true;
            }
        }
    }

    private static void AddToSketch(byte[] registers, ulong h)
    {
        int index = (int)(h >> (64 - RegisterBits));
        ulong rest = (h << RegisterBits) | (1UL << (RegisterBits - 1));
        byte rank = (byte)(BitOperations.LeadingZeroCount(rest) + 1);
        if (rank > registers[index])
            registers[index] = rank;
    }

    private static long Estimate(byte[] registers)
    {
        double sum = 0;
        int zeros = 0;
        foreach (var r in registers)
        {
            sum += Math.ScaleB(1.0, -r);
            if (r == 0)
                zeros++;
        }
        const double m = Registers;
        double alpha = 0.7213 / (1 + 1.079 / m);
        double e = alpha * m * m / sum;
        if (e <= 2.5 * m && zeros > 0)
            e = m * Math.Log(m / zeros);
        return (long)Math.Round(e);
    }

    /// <summary>A finaliser (splitmix64) so that sequential values spread over the registers; never returns 0 (the empty slot).</summary>
    private static ulong Mix(ulong x)
    {
        x += 0x9E37_79B9_7F4A_7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58_476D_1CE4_E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D0_49BB_1331_11EBUL;
        x ^= x >> 31;
        return x == 0 ? 1 : x;
    }
}

/// <summary>
/// Highest number of events seen within one second during the current interval. It remembers the count of each
/// second (an interval lies within one UTC minute, so a second is its second-of-minute), which lets the rates
/// of one host seen by several workers merge into exactly the peak one worker would have measured.
/// </summary>
public struct PeakRate
{
    // Seconds with events, in time order: (second-of-minute << 32) | count.
    private long[]? seconds;
    private int used;

    public int Peak { readonly get; private set; }

    public void Add(long nowNs)
    {
        int second = (int)(nowNs / 1_000_000_000 % 60);
        if (used > 0 && (int)(seconds![used - 1] >> 32) == second)
        {
            seconds[used - 1]++;
        }
        else
        {
            if (seconds is null || used == seconds.Length)
                Array.Resize(ref seconds, Math.Max(4, used * 2));
            seconds[used++] = ((long)second << 32) | 1;
        }
        int count = (int)seconds[used - 1];
        if (count > Peak)
            Peak = count;
    }

    /// <summary>Adds another rate's events, second by second.</summary>
    public void Add(in PeakRate other)
    {
        if (other.used == 0)
            return;
        Span<int> perSecond = stackalloc int[60];
        for (int i = 0; i < used; i++)
            perSecond[(int)(seconds![i] >> 32)] += (int)seconds[i];
        for (int i = 0; i < other.used; i++)
            perSecond[(int)(other.seconds![i] >> 32)] += (int)other.seconds[i];
        used = 0;
        Peak = 0;
        for (int second = 0; second < 60; second++)
        {
            if (perSecond[second] == 0)
                continue;
            if (seconds is null || used == seconds.Length)
                Array.Resize(ref seconds, Math.Max(4, used * 2));
            seconds[used++] = ((long)second << 32) | (uint)perSecond[second];
            Peak = Math.Max(Peak, perSecond[second]);
        }
    }

    /// <summary>
    /// Starts a new interval. Ticks fall on whole seconds before the packets at or after them are counted, so no
    /// second straddles two intervals.
    /// </summary>
    public void Clear()
    {
        used = 0;
        Peak = 0;
    }
}
