namespace Portfolio.Core.Domain;

/// <summary>The fixed vocabularies the schema's CHECK constraints also enforce.</summary>
public static class Codes
{
    public static readonly IReadOnlyList<string> FunderKinds = ["lottery", "government", "trust", "corporate", "other"];
    public static readonly IReadOnlyList<string> DeliveryModes = ["approval", "auto"];
    public static readonly IReadOnlyList<string> PartnerKinds = ["by-and-for", "specialist", "statutory", "other"];
    public static readonly IReadOnlyList<string> GrantStatuses = ["pipeline", "active", "closed"];
    public static readonly IReadOnlyList<string> Roles = ["admin", "finance", "programme-lead", "viewer"];
    public static readonly IReadOnlyList<string> ReportRunStatuses = ["draft", "approved", "sent", "failed", "superseded", "cancelled"];
    public static readonly IReadOnlyList<string> DeliveryStatuses = ["pending", "sending", "sent", "failed"];
    public static readonly IReadOnlyList<string> ReturnsDue = ["each-period", "final-period", "none"];
    public static readonly IReadOnlyList<string> ReturnStatuses = ["draft", "submitted", "accepted", "sent-back"];
    public static readonly IReadOnlyList<string> IndicatorSources = ["lead", "partners"];
    public static readonly IReadOnlyList<string> IndicatorToDate = ["sum", "latest"];
    public const string Currency = "GBP";
}
