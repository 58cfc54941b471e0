namespace Tocsin.Ndpi;

/// <summary>nDPI's risk severities (ndpi_risk_severity).</summary>
public enum NdpiRiskSeverity
{
    Low = 0,
    Medium = 1,
    High = 2,
    Severe = 3,
}

/// <summary>
/// One nDPI risk as the library defines it: bit <see cref="Id"/> of a flow's risk bitmap, its name
/// (ndpi_risk2str), severity and score, and how the score splits between client and server (ndpi_risk2score).
/// </summary>
public sealed record NdpiRisk(int Id, string Name, NdpiRiskSeverity Severity, string SeverityName, int Score, int ClientScore, int ServerScore);
