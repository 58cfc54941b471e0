namespace Tocsin.Ndpi;

/// <summary>
/// The list files nDPI loads at start (each optional; null leaves nDPI's built-in defaults). They change what is
/// detected and which risks are raised: without a JA3 list no "Possibly Malicious JA3", without a risky-domain
/// list no "Risky Domain Name". nDPI's test lists are in ../shared/pcaps/ndpi/config.
/// </summary>
public sealed record NdpiOptions
{
    /// <summary>Custom protocols by host, IP or port (ndpiReader -p, protos.txt).</summary>
    public string? ProtocolsFile { get; init; }

    /// <summary>Host names and IPs mapped to categories (ndpiReader -c, categories.txt).</summary>
    public string? CategoriesFile { get; init; }

    /// <summary>Domains that raise "Risky Domain Name" (ndpiReader -r, risky_domains.txt).</summary>
    public string? RiskyDomainsFile { get; init; }

    /// <summary>Client JA3 hashes that raise "Possibly Malicious JA3 Fingerprint" (ndpiReader -j, ja3_fingerprints.csv).</summary>
    public string? MaliciousJa3File { get; init; }

    /// <summary>Certificate SHA-1s that raise "Possibly Malicious SSL Cert. SHA1 Fingerprint" (ndpiReader -S, sha1_fingerprints.csv).</summary>
    public string? MaliciousSha1File { get; init; }
}
