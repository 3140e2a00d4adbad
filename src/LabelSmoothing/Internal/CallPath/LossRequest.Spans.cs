namespace LabelSmoothing.Internal.CallPath;

internal ref partial struct LossRequest<T>
{
    /// <summary>
    /// Row-major <c>[N, K]</c> logits with one label per row, <c>N = labels.Length</c>. A length that is a whole number of rows blames the
    /// labels; any other blames the logits.
    /// </summary>
    public static LossRequest<T> Labelled(int numClasses, ReadOnlySpan<T> logits, ReadOnlySpan<int> labels)
    {
        Guard.OneLabelPerRow(logits.Length, labels.Length, numClasses);
        return new LossRequest<T> { Logits = Operand<T>.Of(logits, labels.Length, numClasses), LogitsName = "logits", Labels = Operand<int>.Of(labels) };
    }

    /// <summary>Row-major <c>[N, K]</c> logits and targets of the same length (probability targets, binary targets, the teacher's logits).</summary>
    public static LossRequest<T> Paired(
        int numClasses, ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, string logitsName = "logits", string targetsName = "targets", string rowName = "classes")
    {
        int rows = Guard.Rows(logits.Length, numClasses, logitsName, rowName);
        Guard.Length(targets.Length, logits.Length, targetsName, logitsName, ".Length");
        return new LossRequest<T>
        {
            Logits = Operand<T>.Of(logits, rows, numClasses),
            LogitsName = logitsName,
            Targets = Operand<T>.Of(targets, rows, numClasses),
            TargetsName = targetsName,
        };
    }

    /// <summary>Per-sample losses (<c>N</c>), or per-element losses (<c>N·K</c>) when <paramref name="elementWise"/>.</summary>
    public void SetLosses(Span<T> losses, bool elementWise = false)
    {
        if (elementWise)
        {
            Guard.Length(losses.Length, Logits.Shape.Count, "losses", LogitsName, ".Length");
            Losses = Operand<T>.Of(losses, Samples, (int)Logits.Shape.Length(1));
            return;
        }

        Guard.Length(losses.Length, Samples, "losses", Labels.IsPresent ? "labels" : LogitsName, Labels.IsPresent ? ".Length" : ".Length / NumClasses");
        Losses = Operand<T>.Of(losses);
    }

    /// <summary>The gradient, as long as the logits.</summary>
    public void SetGradient(Span<T> gradient)
    {
        Guard.Length(gradient.Length, Logits.Shape.Count, "gradient", LogitsName, ".Length");
        Gradient = Operand<T>.Of(gradient, Samples, (int)Logits.Shape.Length(1));
    }

    /// <summary>The upstream gradient: one value (Mean, Sum), one per sample (None) or one per element (None, <paramref name="elementWise"/>).</summary>
    public void SetUpstream(ReadOnlySpan<T> upstream, Reduction reduction, bool elementWise = false)
    {
        if (reduction != Reduction.None)
        {
            Guard.Length(upstream.Length, 1, "upstream", "1 (Reduction.Mean or Sum)");
            Upstream = Operand<T>.Of(upstream);
        }
        else if (elementWise)
        {
            Guard.Length(upstream.Length, Logits.Shape.Count, "upstream", LogitsName, ".Length (Reduction.None)");
            Upstream = Operand<T>.Of(upstream, Samples, (int)Logits.Shape.Length(1));
        }
        else
        {
            Guard.Length(upstream.Length, Samples, "upstream", "N (Reduction.None)");
            Upstream = Operand<T>.Of(upstream);
        }
    }

    /// <summary>One weight per sample.</summary>
    public void SetSampleWeights(ReadOnlySpan<T> sampleWeights)
    {
        Guard.Length(sampleWeights.Length, Samples, "sampleWeights", "labels.Length");
        SampleWeights = Operand<T>.Of(sampleWeights);
    }

    /// <summary>An explicit divisor, checked (finite and ≥ 0).</summary>
    public void SetDivisor(double divisor) => Divisor = Guard.Divisor(divisor);

    /// <summary>The number of samples of flat row-major logits.</summary>
    private readonly int Samples => (int)Logits.Shape.Length(0);
}
