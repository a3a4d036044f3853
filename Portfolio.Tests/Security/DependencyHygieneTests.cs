using System.Xml.Linq;
using Portfolio.Tests.Core.Data;

namespace Portfolio.Tests.Security;

public class DependencyHygieneTests
{
    [TestCase("MimeKit", "4.18.2")]
    [TestCase("Npgsql", "8.0.3")]
    [TestCase("Newtonsoft.Json", "13.0.1")]
    public void PackagesWithKnownAdvisories_ArePinnedAtOrAboveTheFix(string package, string fixedIn)
    {
        var props = XDocument.Load(Path.Combine(SqlServerSyntaxTests.RepositoryRoot(), "Directory.Packages.props"));
        var version = props.Descendants("PackageVersion").Single(p => p.Attribute("Include")!.Value == package).Attribute("Version")!.Value;

        Version.Parse(version).Should().BeGreaterThanOrEqualTo(Version.Parse(fixedIn));
        var referencedDirectly = Directory.EnumerateFiles(SqlServerSyntaxTests.RepositoryRoot(), "*.csproj", SearchOption.AllDirectories)
            .Any(f => XDocument.Load(f).Descendants("PackageReference").Any(r => r.Attribute("Include")?.Value == package));
        referencedDirectly.Should().BeTrue("{0} must be referenced directly so the pin applies to every project that uses it", package);
    }

    [Test]
    public void FluentAssertions_StaysOnTheApacheLicensedSix()
    {
        var props = XDocument.Load(Path.Combine(SqlServerSyntaxTests.RepositoryRoot(), "Directory.Packages.props"));
        var version = props.Descendants("PackageVersion").Single(p => p.Attribute("Include")!.Value == "FluentAssertions").Attribute("Version")!.Value;
        Version.Parse(version).Major.Should().Be(6);
    }
}
