namespace LabelSmoothing.Internal.Kernels.CrossEntropy;

/// <summary>The distance, in elements, from one row to the next in the logits and in the gradient (what the fused kernel prefetches).</summary>
internal readonly record struct RowDistance(nint Logits, nint Gradient);
