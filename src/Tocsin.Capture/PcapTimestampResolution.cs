namespace Tocsin.Capture;

/// <summary>Timestamp unit of a classic pcap file, chosen by its magic number.</summary>
public enum PcapTimestampResolution
{
    Microsecond,
    Nanosecond,
}
