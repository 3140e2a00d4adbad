using System;

namespace LabelSmoothing.Tests.Support.GuardPages;

/// <summary>
/// Runs a call on managed arrays, then with every operand ending at a guard page, then with every operand starting after one, and
/// compares each guarded run with the managed one bit for bit. An access outside an operand faults in a guarded run.
/// </summary>
internal sealed class GuardedRuns : IDisposable
{
    private static readonly GuardPlacement[] Placements = Enum.GetValues<GuardPlacement>();

    private readonly ManagedOperands _reference = new();
    private readonly GuardedOperands _guarded = new();

    /// <summary>The guarded runs so far (each call runs once per placement).</summary>
    public long GuardedCalls { get; private set; }

    /// <summary>The first difference of a guarded run from the managed one, naming the placement, or null when there is none.</summary>
    public string? Run(Action<CallOperands> call)
    {
        _reference.Clear();
        call(_reference);
        foreach (GuardPlacement placement in Placements)
        {
            _guarded.Clear();
            _guarded.Placement = placement;
            call(_guarded);
            GuardedCalls++;
            if (_guarded.FirstDifference(_reference) is string difference)
            {
                return $"{placement}: {difference}";
            }
        }

        return null;
    }

    public void Dispose() => _guarded.Dispose();
}
