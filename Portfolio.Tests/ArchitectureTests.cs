using System.Reflection;
using System.Xml.Linq;
using Portfolio.Tests.Core.Data;

namespace Portfolio.Tests;

public class ArchitectureTests
{
    private static readonly string[] Layers = ["Portfolio.Core", "Portfolio.Reports", "Portfolio.Jobs", "Portfolio.Api"];

    [TestCase("Portfolio.Core", new string[0])]
    [TestCase("Portfolio.Reports", new[] { "Portfolio.Core" })]
    [TestCase("Portfolio.Jobs", new[] { "Portfolio.Reports" })]
    [TestCase("Portfolio.Api", new[] { "Portfolio.Jobs" })]
    public void ProjectReferences_PointOneWay_ApiToJobsToReportsToCore(string project, string[] expected)
    {
        var csproj = Path.Combine(SqlServerSyntaxTests.RepositoryRoot(), project, project + ".csproj");
        var references = XDocument.Load(csproj).Descendants("ProjectReference")
            .Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value.Replace('\\', '/')))
            .ToList();

        references.Should().BeEquivalentTo(expected);
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(2)]
    public void CompiledAssemblies_NeverReferenceALayerAbove(int layer)
    {
        var above = Layers.Skip(layer + 1).ToList();
        var references = Assembly.Load(Layers[layer]).GetReferencedAssemblies().Select(r => r.Name!).ToList();

        references.Should().NotContain(r => above.Contains(r));
    }

    /// <summary>
    /// One unit of work (issue 27, point 4): in the service's code only <c>UnitOfWork</c> begins, commits or rolls
    /// back a transaction (the session itself defines them); everything else runs its work through it.
    /// </summary>
    [Test]
    public void OnlyTheUnitOfWork_BeginsOrCommitsATransaction()
    {
        var allowed = new[] { Path.Combine("Operations", "UnitOfWork.cs"), Path.Combine("Data", "DbSession.cs") };
        var offenders = Layers.SelectMany(layer => Directory.EnumerateFiles(Path.Combine(SqlServerSyntaxTests.RepositoryRoot(), layer), "*.cs", SearchOption.AllDirectories))
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !allowed.Any(a => file.EndsWith(a, StringComparison.Ordinal)))
            .Where(file => System.Text.RegularExpressions.Regex.IsMatch(File.ReadAllText(file), @"\.(BeginAsync|BeginTransactionAsync|RollbackAsync)\(|session\.CommitAsync\("))
            .Select(Path.GetFileName)
            .ToList();

        offenders.Should().BeEmpty("a transaction is begun and committed by UnitOfWork.RunAsync (the outcome decides) or CommitAsync (an exception decides)");
    }

    [Test]
    public void CoreKnowsNothingOfHttpJobsExcelOrPdf()
    {
        var references = Assembly.Load("Portfolio.Core").GetReferencedAssemblies().Select(r => r.Name!).ToList();

        references.Should().Contain("Dapper");
        references.Should().NotContain(r => r.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)
                                            || r.StartsWith("Hangfire", StringComparison.Ordinal)
                                            || r.StartsWith("ClosedXML", StringComparison.Ordinal)
                                            || r.StartsWith("SkiaSharp", StringComparison.Ordinal));
    }

    /// <summary>
    /// Operations are plain methods (issue 27, point 1): no Core type holds its steps as delegate-typed properties or
    /// fields to be filled in (the former <c>Resource</c>'s eleven slots), and each record's capabilities are the
    /// interfaces its operations class implements, so spend and income, which are voided, never deleted, have no
    /// delete to map.
    /// </summary>
    [Test]
    public void CoreOperations_ArePlainMethods_NotDelegateSlots_AndCapabilitiesAreInterfaces()
    {
        var core = Assembly.Load("Portfolio.Core");
        var slots = core.GetTypes()
            .Where(t => !t.IsDefined(typeof(System.Runtime.CompilerServices.CompilerGeneratedAttribute)))
            .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                .Select(p => (Type: t, Name: p.Name, Member: p.PropertyType))
                .Concat(t.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                    .Where(f => !f.IsDefined(typeof(System.Runtime.CompilerServices.CompilerGeneratedAttribute)))
                    .Select(f => (Type: t, Name: f.Name, Member: f.FieldType))))
            .Where(m => typeof(Delegate).IsAssignableFrom(m.Member) && m.Type.Namespace is "Portfolio.Core.Domain" or "Portfolio.Core.Operations")
            .Select(m => $"{m.Type.Name}.{m.Name}")
            .ToList();

        slots.Should().BeEmpty("an operation calls its steps; it is not assembled from injected delegates");
        typeof(Portfolio.Core.Domain.Spend).Should().Implement(typeof(Portfolio.Core.Operations.IVoidable<Portfolio.Core.Domain.TransactionView>));
        typeof(Portfolio.Core.Domain.Spend).GetInterfaces().Should().NotContain(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(Portfolio.Core.Operations.IDeletable<>));
        typeof(Portfolio.Core.Domain.Income).GetInterfaces().Should().NotContain(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(Portfolio.Core.Operations.IDeletable<>));
        typeof(Portfolio.Core.Domain.Funders).GetInterfaces().Should().NotContain(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(Portfolio.Core.Operations.IVoidable<>));
    }
}
