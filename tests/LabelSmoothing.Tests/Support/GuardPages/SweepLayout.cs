namespace LabelSmoothing.Tests.Support.GuardPages;

/// <summary>How the tensor doors see the <c>N·K</c> elements of a shape of the sweep: dense <c>(n, C, d)</c> tensors with <c>n·d = N</c>.</summary>
internal enum SweepLayout
{
    /// <summary><c>(1, K, N)</c>: one segment of <c>N</c> contiguous samples, classes strided by <c>N</c> (the class-major kernel).</summary>
    OneSegment,

    /// <summary>
    /// <c>(N/d, K, d)</c> with <c>d</c> the smallest divisor of <c>N</c> from 3 on: many short segments (pieces shorter than a vector are
    /// staged), a few long ones, and for a prime <c>N</c> a single one.
    /// </summary>
    Segmented,
}
