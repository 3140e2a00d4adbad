namespace LabelSmoothing;

/// <summary>
/// How per-sample losses are combined into the value a loss returns.
/// </summary>
/// <remarks>PyTorch: the <c>reduction</c> argument (<c>'none'</c>, <c>'mean'</c>, <c>'sum'</c>) of <c>torch.nn.CrossEntropyLoss</c>.</remarks>
public enum Reduction
{
    /// <summary>No reduction: the per-sample losses <c>l_i</c> are the result (PyTorch <c>'none'</c>).</summary>
    None = 0,

    /// <summary>
    /// The weighted mean: <c>Σ l_i / D</c>. For index targets <c>D = Σ_{i not ignored} w[y_i]</c> (the count of
    /// non-ignored samples when unweighted); for probability targets <c>D = N</c>. A mean over <c>D = 0</c> is 0 with a zero
    /// gradient (PyTorch returns NaN). PyTorch <c>'mean'</c>.
    /// </summary>
    Mean = 1,

    /// <summary>The sum of the per-sample losses: <c>Σ l_i</c> (PyTorch <c>'sum'</c>).</summary>
    Sum = 2,
}
