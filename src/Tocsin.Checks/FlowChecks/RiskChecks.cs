using Tocsin.Alerts;

namespace Tocsin.Checks.FlowChecks;

// One check per nDPI 4.2 risk, with ntopng's flow alert id, name and check key (spec/flow_alerts.csv) and nDPI's
// own severity, score and client/server split (spec/ndpi42_risks.txt). Generated from those two tables; a risk
// nDPI adds later is one more line here.

public sealed class NdpiUrlPossibleXssRisk() : FlowRiskCheck(1, "ndpi_url_possible_xss", Alert, 90)
{
    public static readonly AlertType Alert = AlertType.Flow(39, "ndpi_url_possible_xss", "XSS Attack", AlertCategory.Security, 250);
}

public sealed class NdpiUrlPossibleSqlInjectionRisk() : FlowRiskCheck(2, "ndpi_url_possible_sql_injection", Alert, 90)
{
    public static readonly AlertType Alert = AlertType.Flow(40, "ndpi_url_possible_sql_injection", "SQL Injection", AlertCategory.Security, 250);
}

public sealed class NdpiUrlPossibleRceInjectionRisk() : FlowRiskCheck(3, "ndpi_url_possible_rce_injection", Alert, 90)
{
    public static readonly AlertType Alert = AlertType.Flow(41, "ndpi_url_possible_rce_injection", "RCE Injection", AlertCategory.Security, 250);
}

public sealed class BinaryApplicationTransferRisk() : FlowRiskCheck(4, "binary_application_transfer", Alert, 50)
{
    public static readonly AlertType Alert = AlertType.Flow(29, "binary_application_transfer", "Binary Application Transfer", AlertCategory.Security, 250);
}

public sealed class KnownProtoOnNonStdPortRisk() : FlowRiskCheck(5, "known_proto_on_non_std_port", Alert, 50)
{
    public static readonly AlertType Alert = AlertType.Flow(30, "known_proto_on_non_std_port", "Known Protocol on Non Standard Port", AlertCategory.Security, 50);
}

public sealed class TlsCertificateSelfsignedRisk() : FlowRiskCheck(6, "tls_certificate_selfsigned", Alert, 90)
{
    public static readonly AlertType Alert = AlertType.Flow(28, "tls_certificate_selfsigned", "Self-signed Certificate", AlertCategory.Security, 100);
}

public sealed class NdpiTlsOldProtocolVersionRisk() : FlowRiskCheck(7, "ndpi_tls_old_protocol_version", Alert, 90)
{
    public static readonly AlertType Alert = AlertType.Flow(24, "ndpi_tls_old_protocol_version", "Obsolete TLS Version (1.1 or older)", AlertCategory.Security, 100);
}

public sealed class TlsUnsafeCiphersRisk() : FlowRiskCheck(8, "tls_unsafe_ciphers", Alert, 90)
{
    public static readonly AlertType Alert = AlertType.Flow(25, "tls_unsafe_ciphers", "Weak TLS Cipher", AlertCategory.Security, 100);
}

public sealed class TlsCertificateExpiredRisk() : FlowRiskCheck(9, "tls_certificate_expired", Alert, 50)
{
    public static readonly AlertType Alert = AlertType.Flow(22, "tls_certificate_expired", "TLS Expired Certificate", AlertCategory.Security, 100);
}

public sealed class TlsCertificateMismatchRisk() : FlowRiskCheck(10, "tls_certificate_mismatch", Alert, 50)
{
    public static readonly AlertType Alert = AlertType.Flow(23, "tls_certificate_mismatch", "TLS Certificate Mismatch", AlertCategory.Security, 100);
}

public sealed class NdpiHttpSuspiciousUserAgentRisk() : FlowRiskCheck(11, "ndpi_http_suspicious_user_agent", Alert, 90)
{
    public static readonly AlertType Alert = AlertType.Flow(42, "ndpi_http_suspicious_user_agent", "HTTP Suspicious User-Agent", AlertCategory.Security, 100);
}

public sealed class NdpiNumericIpHostRisk() : FlowRiskCheck(12, "ndpi_numeric_ip_host", Alert, 50)
{
    public static readonly AlertType Alert = AlertType.Flow(43, "ndpi_numeric_ip_host", "HTTP Numeric IP Address", AlertCategory.Security, 10);
}

public sealed class NdpiHttpSuspiciousUrlRisk() : FlowRiskCheck(13, "ndpi_http_suspicious_url", Alert, 90)
{
    public static readonly AlertType Alert = AlertType.Flow(44, "ndpi_http_suspicious_url", "HTTP Suspicious URL", AlertCategory.Security, 100);
}

public sealed class NdpiHttpSuspiciousHeaderRisk() : FlowRiskCheck(14, "ndpi_http_suspicious_header", Alert, 90)
{
    public static readonly AlertType Alert = AlertType.Flow(45, "ndpi_http_suspicious_header", "HTTP Suspicious Header", AlertCategory.Security, 100);
}

public sealed class NdpiTlsNotCarryingHttpsRisk() : FlowRiskCheck(15, "ndpi_tls_not_carrying_https", Alert, 50)
{
    public static readonly AlertType Alert = AlertType.Flow(46, "ndpi_tls_not_carrying_https", "TLS (probably) Not Carrying HTTPS", AlertCategory.Security, 10);
}

public sealed class NdpiSuspiciousDgaDomainRisk() : FlowRiskCheck(16, "ndpi_suspicious_dga_domain", Alert, 90)
{
    public static readonly AlertType Alert = AlertType.Flow(47, "ndpi_suspicious_dga_domain", "Suspicious DGA Domain name", AlertCategory.Security, 100);
}

public sealed class NdpiMalformedPacketRisk() : FlowRiskCheck(17, "ndpi_malformed_packet", Alert, 50)
{
    public static readonly AlertType Alert = AlertType.Flow(48, "ndpi_malformed_packet", "Malformed Packet", AlertCategory.Security, 10);
}

public sealed class NdpiSshObsoleteClientRisk() : FlowRiskCheck(18, "ndpi_ssh_obsolete_client", Alert, 90)
{
    public static readonly AlertType Alert = AlertType.Flow(61, "ndpi_ssh_obsolete_client", "SSH Obsolete Client Version/Cipher", AlertCategory.Security, 100);
}

public sealed class NdpiSshObsoleteServerRisk() : FlowRiskCheck(19, "ndpi_ssh_obsolete_server", Alert, 10)
{
    public static readonly AlertType Alert = AlertType.Flow(49, "ndpi_ssh_obsolete_server", "SSH Obsolete Server Version/Cipher", AlertCategory.Security, 50);
}

public sealed class NdpiSmbInsecureVersionRisk() : FlowRiskCheck(20, "ndpi_smb_insecure_version", Alert, 90)
{
    public static readonly AlertType Alert = AlertType.Flow(50, "ndpi_smb_insecure_version", "SMB Insecure Version", AlertCategory.Security, 100);
}

public sealed class NdpiTlsSuspiciousEsniUsageRisk() : FlowRiskCheck(21, "ndpi_tls_suspicious_esni_usage", Alert, 50)
{
    public static readonly AlertType Alert = AlertType.Flow(51, "ndpi_tls_suspicious_esni_usage", "TLS Suspicious ESNI Usage", AlertCategory.Security, 50);
}

public sealed class NdpiUnsafeProtocolRisk() : FlowRiskCheck(22, "ndpi_unsafe_protocol", Alert, 50)
{
    public static readonly AlertType Alert = AlertType.Flow(52, "ndpi_unsafe_protocol", "Unsafe Protocol", AlertCategory.Security, 10);
}

public sealed class NdpiDnsSuspiciousTrafficRisk() : FlowRiskCheck(23, "ndpi_dns_suspicious_traffic", Alert, 90)
{
    public static readonly AlertType Alert = AlertType.Flow(53, "ndpi_dns_suspicious_traffic", "Suspicious DNS Traffic", AlertCategory.Security, 100);
}

public sealed class NdpiTlsMissingSniRisk() : FlowRiskCheck(24, "ndpi_tls_missing_sni", Alert, 50)
{
    public static readonly AlertType Alert = AlertType.Flow(54, "ndpi_tls_missing_sni", "Missing SNI TLS Extension", AlertCategory.Security, 50);
}

public sealed class NdpiHttpSuspiciousContentRisk() : FlowRiskCheck(25, "ndpi_http_suspicious_content", Alert, 90)
{
    public static readonly AlertType Alert = AlertType.Flow(63, "ndpi_http_suspicious_content", "HTTP Suspicious Content", AlertCategory.Security, 100);
}

public sealed class NdpiRiskyAsnRisk() : FlowRiskCheck(26, "ndpi_risky_asn", Alert, 50)
{
    public static readonly AlertType Alert = AlertType.Flow(85, "ndpi_risky_asn", "Risky ASN", AlertCategory.Security, 50);
}

public sealed class NdpiRiskyDomainRisk() : FlowRiskCheck(27, "ndpi_risky_domain", Alert, 50)
{
    public static readonly AlertType Alert = AlertType.Flow(86, "ndpi_risky_domain", "Risky Domain Name", AlertCategory.Security, 50);
}

public sealed class NdpiMaliciousFingerprintRisk() : FlowRiskCheck(28, "ndpi_malicious_fingerprint", Alert, 50)
{
    public static readonly AlertType Alert = AlertType.Flow(79, "ndpi_malicious_fingerprint", "Possibly Malicious JA3 Fingerprint", AlertCategory.Security, 50);
}

public sealed class NdpiMaliciousSha1CertificateRisk() : FlowRiskCheck(29, "ndpi_malicious_sha1_certificate", Alert, 50)
{
    public static readonly AlertType Alert = AlertType.Flow(80, "ndpi_malicious_sha1_certificate", "Possibly Malicious SSL Cert. SHA1 Fingerprint", AlertCategory.Security, 50);
}

public sealed class NdpiDesktopOrFileSharingSessionRisk() : FlowRiskCheck(30, "ndpi_desktop_or_file_sharing_session", Alert, 50)
{
    public static readonly AlertType Alert = AlertType.Flow(78, "ndpi_desktop_or_file_sharing_session", "Desktop/File Sharing Session", AlertCategory.Security, 10);
}

public sealed class NdpiTlsUncommonAlpnRisk() : FlowRiskCheck(31, "ndpi_tls_uncommon_alpn", Alert, 50)
{
    public static readonly AlertType Alert = AlertType.Flow(81, "ndpi_tls_uncommon_alpn", "Uncommon TLS ALPN", AlertCategory.Other, 50);
}

public sealed class NdpiTlsCertValidityTooLongRisk() : FlowRiskCheck(32, "ndpi_tls_cert_validity_too_long", Alert, 50)
{
    public static readonly AlertType Alert = AlertType.Flow(60, "ndpi_tls_cert_validity_too_long", "TLS Certificate Validity Too Long", AlertCategory.Security, 50);
}

public sealed class NdpiTlsSuspiciousExtensionRisk() : FlowRiskCheck(33, "ndpi_tls_suspicious_extension", Alert, 90)
{
    public static readonly AlertType Alert = AlertType.Flow(82, "ndpi_tls_suspicious_extension", "TLS Suspicious Extension", AlertCategory.Security, 100);
}

public sealed class NdpiTlsFatalAlertRisk() : FlowRiskCheck(34, "ndpi_tls_fatal_alert", Alert, 50)
{
    public static readonly AlertType Alert = AlertType.Flow(83, "ndpi_tls_fatal_alert", "TLS Fatal Alert", AlertCategory.Other, 10);
}

public sealed class NdpiSuspiciousEntropyRisk() : FlowRiskCheck(35, "ndpi_suspicious_entropy", Alert, 50)
{
    public static readonly AlertType Alert = AlertType.Flow(73, "ndpi_suspicious_entropy", "Suspicious Entropy", AlertCategory.Security, 50);
}

public sealed class NdpiClearTextCredentialsRisk() : FlowRiskCheck(36, "ndpi_clear_text_credentials", Alert, 90)
{
    public static readonly AlertType Alert = AlertType.Flow(62, "ndpi_clear_text_credentials", "Clear-Text Credentials", AlertCategory.Security, 100);
}

public sealed class NdpiDnsLargePacketRisk() : FlowRiskCheck(37, "ndpi_dns_large_packet", Alert, 50)
{
    public static readonly AlertType Alert = AlertType.Flow(64, "ndpi_dns_large_packet", "DNS Packet Larger Than 512 bytes", AlertCategory.Security, 50);
}

public sealed class NdpiDnsFragmentedRisk() : FlowRiskCheck(38, "ndpi_dns_fragmented", Alert, 50)
{
    public static readonly AlertType Alert = AlertType.Flow(65, "ndpi_dns_fragmented", "Fragmented DNS Message", AlertCategory.Security, 50);
}

public sealed class NdpiInvalidCharactersRisk() : FlowRiskCheck(39, "ndpi_invalid_characters", Alert, 90)
{
    public static readonly AlertType Alert = AlertType.Flow(66, "ndpi_invalid_characters", "Text Contains Non-Printable Characters", AlertCategory.Security, 100);
}

public sealed class NdpiPossibleExploitRisk() : FlowRiskCheck(40, "ndpi_possible_exploit", Alert, 90)
{
    public static readonly AlertType Alert = AlertType.Flow(68, "ndpi_possible_exploit", "Possible Exploit Detected", AlertCategory.Security, 250);
}

public sealed class NdpiTlsCertificateAboutToExpireRisk() : FlowRiskCheck(41, "ndpi_tls_certificate_about_to_expire", Alert, 10)
{
    public static readonly AlertType Alert = AlertType.Flow(69, "ndpi_tls_certificate_about_to_expire", "TLS Certificate About To Expire", AlertCategory.Security, 50);
}
