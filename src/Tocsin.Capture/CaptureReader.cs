namespace Tocsin.Capture;

/// <summary>State shared by the format readers: identity, progress and the sticky stop condition.</summary>
internal abstract class CaptureReader(string path, ReadBuffer input, long length) : ICaptureReader
{
    private protected readonly ReadBuffer Input = input;
    private protected bool Finished;

    public string Path { get; } = path;

    public abstract CaptureFormat Format { get; }

    public CaptureError? Error { get; private set; }

    public long PacketsRead { get; private protected set; }

    public long Position => Input.Position;

    public long Length { get; } = length;

    public abstract bool TryReadNext(out RawPacket packet);

    /// <summary>Clean end of file: every later call returns false too.</summary>
    private protected bool End()
    {
        Finished = true;
        return false;
    }

    /// <summary>Bad data: reading stops for good and the caller learns why from <see cref="Error"/>.</summary>
    private protected bool Stop(long offset, string reason)
    {
        Error = new CaptureError(Path, offset, reason);
        return End();
    }

    /// <summary>Wire lengths are 32-bit unsigned in both formats; a fuzzed value beyond int must not turn negative.</summary>
    private protected static int WireLength(uint length) => (int)Math.Min(length, int.MaxValue);

    public void Dispose() => Input.Dispose();
}
