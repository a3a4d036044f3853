using Microsoft.AspNetCore.Authorization;
using Portfolio.Api.Features.Shared;
using Portfolio.Api.Infrastructure;
using Portfolio.Core.Data;
using Portfolio.Core.Domain;
using Portfolio.Core.Operations;

namespace Portfolio.Api.Features.Transactions;

/// <summary>Finance voids a line of spend with a reason: Core's <c>Spend.VoidAsync</c>.</summary>
[Authorize(Policy = Policies.Write)]
public sealed class VoidSpendModel(Database database) : VoidFormModel(database)
{
    public override string What => "spend";

    protected override async Task<(long GrantId, int Version, DateOnly Date, IReadOnlyList<(string, string)> Facts, bool Voided)?> LoadRecordAsync(DbSession session, long id) =>
        await TransactionStore.GetAsync(session, id, HttpContext.RequestAborted) is { } t
            ? (t.GrantId, t.Version, t.TransactionDate,
                [("Date", Show.Date(t.TransactionDate)), ("Amount", Show.Money(t.AmountPence)), ("Cost category", t.CategoryCode), ("Description", t.Description), ("Reference in the accounts", t.SourceReference ?? "")],
                t.VoidedAt is not null)
            : null;

    protected override async Task<Refusal?> VoidAsync(DbSession session, long id, int? version, ReasonInput input) =>
        (await Spend.VoidAsync(session, id, version, input, HttpContext.Change(), HttpContext.RequestAborted)).Refused;
}
