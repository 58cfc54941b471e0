namespace Tocsin.Checks;

/// <summary>nDPI 4.2 protocol and category ids the checks refer to (ndpi_protocol_ids.h, ndpi_typedefs.h).</summary>
public static class NdpiProtocols
{
    public const int Smtp = 3;
    public const int Dns = 5;
    public const int Ntp = 9;
    public const int Dhcp = 18;
    public const int Smtps = 29;

    /// <summary>nDPI's custom category for crypto-currency mining.</summary>
    public const int MiningCategory = 99;
}
