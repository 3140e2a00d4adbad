using Xunit;

namespace LabelSmoothing.Tests.Support;

/// <summary>Runs the allocation tests alone: no other test allocates while they count every thread's allocations.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationTestGroup
{
    public const string Name = "Allocation (not parallel)";
}
