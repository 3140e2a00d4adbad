using System;
using System.Numerics;

namespace LabelSmoothing.Tests.Support.GuardPages;

/// <summary>
/// One named call of the public span API, written once against <see cref="CallOperands"/> so that the same code runs on managed arrays
/// and on guarded memory: it takes every operand from the <see cref="CallOperands"/> and records every result there.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
internal sealed record GuardedCall<T>(string Name, Action<SweepInputs<T>, CallOperands> Invoke)
    where T : unmanaged, IFloatingPointIeee754<T>;
