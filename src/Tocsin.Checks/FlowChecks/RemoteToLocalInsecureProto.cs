using System.Text.Json.Nodes;
using Tocsin.Alerts;
using Tocsin.Traffic;

namespace Tocsin.Checks.FlowChecks;

/// <summary>
/// A remote client reaches a local server over a protocol nDPI rates unsafe or dangerous (telnet, SMBv1, Tor...):
/// ntopng's remote_to_local_insecure_proto. Needs local networks and application detection.
/// </summary>
public sealed class RemoteToLocalInsecureProto : FlowCheck
{
    public static readonly AlertType Alert = AlertType.Flow(38, "remote_to_local_insecure_proto", "Remote to Local Insecure Protocol", AlertCategory.Security, Scores.Error);

    /// <summary>nDPI breeds: unsafe, potentially dangerous, dangerous.</summary>
    private static readonly int[] InsecureBreeds = [3, 4, 5];

    public override string Key => "remote_to_local_insecure_proto";
    public override string Title => "Remote to Local Insecure Protocol";
    public override string Description => "A remote client contacts a local server over a protocol nDPI rates unsafe or dangerous";
    public override AlertType AlertType => Alert;
    public override bool EnabledByDefault => true;
    public override int ClientScorePercent => 90;

    public override void ProtocolDetected(FlowCheckContext ctx, Flow flow)
    {
        if (flow.Application is not { } app || flow.Client.IsLocal || !flow.Server.IsLocal || !InsecureBreeds.Contains(app.Breed))
            return;
        ctx.Raise(flow, $"Remote client {flow.ClientIp} reached local server {flow.ServerIp} over {app.ProtocolName}, rated {app.BreedName}",
            new JsonObject
            {
                ["ndpi_breed"] = app.Breed,
                ["ndpi_breed_name"] = app.BreedName,
                ["ndpi_category"] = app.Category,
                ["ndpi_category_name"] = app.CategoryName,
            }, FlowRoles.ClientAttacker | FlowRoles.ServerVictim);
    }
}
