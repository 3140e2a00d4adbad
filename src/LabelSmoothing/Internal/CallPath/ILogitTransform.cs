namespace LabelSmoothing.Internal.CallPath;

/// <summary>
/// A transform of every logit applied before the loss (as <see cref="Staging{TStorage, TCompute, TKernel, TTransform}"/> stages a
/// block), whose chain-rule factor multiplies the gradient on the way back. Kernels take it as a type argument, so the identity costs nothing.
/// </summary>
internal interface ILogitTransform
{
    /// <summary>The transform is the identity: nothing is applied.</summary>
    static abstract bool IsIdentity { get; }

    /// <summary>
    /// Writes the transform of <paramref name="count"/> contiguous logits read from <paramref name="source"/> (which may be
    /// <paramref name="values"/> itself) into <paramref name="values"/>, and each one's derivative into <paramref name="derivatives"/>.
    /// </summary>
    unsafe void Apply<T>(T* source, T* values, T* derivatives, int count)
        where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>No transform.</summary>
internal readonly struct IdentityTransform : ILogitTransform
{
    public static bool IsIdentity => true;

    public unsafe void Apply<T>(T* source, T* values, T* derivatives, int count)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
    }
}
