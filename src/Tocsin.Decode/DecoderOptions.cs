namespace Tocsin.Decode;

/// <summary>What <see cref="PacketDecoder"/> strips to reach the inner packet.</summary>
public sealed record DecoderOptions
{
    public static DecoderOptions Default { get; } = new();

    /// <summary>
    /// Strip IP-in-IP, 6in4/4in6/6in6, GRE, GTP-U, CAPWAP, VXLAN and TZSP and describe the inner packet, as
    /// <c>ndpiReader -t</c> does. When false the outer packet is reported (GRE as IP protocol 47, GTP-U as UDP...).
    /// </summary>
    public bool DecapsulateTunnels { get; init; } = true;

    /// <summary>
    /// Also strip Teredo (UDP 3544). Off by default because ndpiReader reports Teredo's outer UDP flows, and the
    /// flows must match it. Only effective together with <see cref="DecapsulateTunnels"/>.
    /// </summary>
    public bool DecapsulateTeredo { get; init; }
}
