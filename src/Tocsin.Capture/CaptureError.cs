namespace Tocsin.Capture;

/// <summary>Why a capture stopped before its clean end: what was read before <see cref="Offset"/> stays valid.</summary>
public sealed record CaptureError(string Path, long Offset, string Reason)
{
    public override string ToString() => Describe(Path, Offset, Reason);

    internal static string Describe(string path, long offset, string reason) => $"{path}: {reason} at byte offset {offset}";
}

/// <summary>Thrown when a file is not a capture at all (unknown magic, unreadable header).</summary>
public sealed class CaptureFormatException(string path, long offset, string reason)
    : Exception(CaptureError.Describe(path, offset, reason))
{
    public string Path { get; } = path;
    public long Offset { get; } = offset;
    public string Reason { get; } = reason;
}
