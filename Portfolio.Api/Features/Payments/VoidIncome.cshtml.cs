using Microsoft.AspNetCore.Authorization;
using Portfolio.Api.Features.Shared;
using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Operations;

namespace Portfolio.Api.Features.Payments;

/// <summary>Finance voids income with a reason: Core's <c>Income.VoidAsync</c>.</summary>
[Authorize(Policy = Policies.Write)]
public sealed class VoidIncomeModel(Database database) : VoidFormModel(database)
{
    public override string What => "income";

    protected override async Task<(long GrantId, int Version, DateOnly Date, IReadOnlyList<(string, string)> Facts, bool Voided)?> LoadRecordAsync(DbSession session, long id) =>
        await PaymentStore.GetAsync(session, id, HttpContext.RequestAborted) is { } p
            ? (p.GrantId, p.Version, p.PaymentDate, [("Date received", Show.Date(p.PaymentDate)), ("Amount", Show.Money(p.AmountPence)), ("Reference", p.Reference ?? "")], p.VoidedAt is not null)
            : null;

    protected override async Task<Refusal?> VoidAsync(DbSession session, long id, int? version, ReasonInput input) =>
        (await Income.VoidAsync(session, id, version, input, HttpContext.Change(), HttpContext.RequestAborted)).Refused;
}
