using System.Collections.Generic;
using System.Numerics;

namespace LabelSmoothing.Tests.Support.GuardPages;

/// <summary>
/// A configured instance of a public type (a loss with its smoothing, weights and prior, a smoother with its prior) and the calls made on
/// it; a table of calls is a list of settings, built for one class count.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
internal sealed record CallSetting<T>(string Name, IReadOnlyList<GuardedCall<T>> Calls)
    where T : unmanaged, IFloatingPointIeee754<T>;
