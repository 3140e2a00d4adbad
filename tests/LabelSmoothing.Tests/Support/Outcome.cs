using System.Numerics;

namespace LabelSmoothing.Tests.Support;

/// <summary>
/// What one call gave, door-independent: the returned loss, the total weight (<c>TotalWeight</c>), the per-sample (per-element) losses and the
/// gradient as rows (null when the entry point writes none), and the statistics it added to an empty <see cref="TokenStatistics"/>.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
internal sealed record Outcome<T>(EntryPoint Entry, T Value, double Total, T[]? Losses, T[]? Gradient, TokenStatistics Statistics)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The returned value as a double: the loss, or the total weight.</summary>
    public double Number => Entry.IsTotalWeight() ? Total : double.CreateTruncating(Value);
}
