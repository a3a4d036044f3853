using Portfolio.Api.Features.Audit;
using Portfolio.Core.Domain;

namespace Portfolio.Tests.Web;

/// <summary>The audit log names each record as people do (issue 26, item 5): never "transaction 42" where it can say more.</summary>
public sealed class AuditDescribeTests
{
    [TestCase("transaction", "42", null, """{"id":42,"grantId":1,"date":"2026-04-30","amount":6240.00,"category":"staff"}""", "Transaction: £6,240.00 on 30 April 2026")]
    [TestCase("grant", "1", null, """{"id":1,"reference":"HO-VAWG-2025-017","title":"Domestic abuse services"}""", "Grant: HO-VAWG-2025-017 Domestic abuse services")]
    [TestCase("partner-agreement", "3", """{"id":3,"name":"Sahara"}""", null, "Partner agreement: Sahara")]
    [TestCase("user", "7", null, """{"id":7,"email":"farah@partnership.example"}""", "User: farah@partnership.example")]
    [TestCase("period", "2:2026-07-01", null, """{"grantId":2,"label":"2026/27 Q2"}""", "Period 2:2026-07-01")]
    [TestCase("portfolio", "demo", null, "not json", "Portfolio demo")]
    public void AnEntry_NamesItsRecord(string entity, string id, string? before, string? after, string expected) =>
        AuditPageModel.Describe(new AuditEntry { Entity = entity, EntityId = id, BeforeJson = before, AfterJson = after }).Should().Be(expected);
}
