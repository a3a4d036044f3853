using Portfolio.Core.Domain;

namespace Portfolio.Tests.Core;

/// <summary>How a recorded actor is printed on notes, approvals and reports: the name, never the label.</summary>
public class ActorsTests
{
    [TestCase("key:12:Finance import", "Finance import")]
    [TestCase("key:12:", "an API key")]
    [TestCase("user:7:Amira Khan", "Amira Khan")]
    [TestCase("user:7:Name: with a colon", "Name: with a colon")]
    [TestCase("user:7", "a user")]
    [TestCase("jwt:alice@example.org", "alice@example.org")]
    [TestCase("system:auto-delivery", "Portfolio (automatic delivery)")]
    [TestCase("system:demo", "Portfolio")]
    [TestCase("someone else", "someone else")]
    public void DisplayName_IsThePersonsName(string actor, string expected) =>
        Actors.DisplayName(actor).Should().Be(expected);
}
