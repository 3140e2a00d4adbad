using Xunit;

namespace LabelSmoothing.Tests.Support;

/// <summary>Tests that redirect <see cref="System.Console.Out"/> run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "Console";
}
