namespace Tocsin.Capture;

/// <summary>Link-layer header types, numbered as tcpdump.org's LINKTYPE_* registry.</summary>
public enum LinkType : ushort
{
    Null = 0,
    Ethernet = 1,
    Ppp = 9,
    RawAlt12 = 12,
    RawAlt14 = 14,
    PppHdlc = 50,
    Raw = 101,
    CiscoHdlc = 104,
    Loop = 108,
    LinuxSll = 113,
    Ipv4 = 228,
    Ipv6 = 229,
    LinuxSll2 = 276,
}
