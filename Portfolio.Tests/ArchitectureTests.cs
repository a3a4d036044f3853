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
}
