namespace LabelSmoothing.Internal.Family;

/// <summary>The checks of the family's scalar options. Each throws an <see cref="System.ArgumentOutOfRangeException"/> naming the parameter.</summary>
internal static class FamilyGuard
{
    /// <summary>
    /// The options of a smoothed target, checked as <see cref="CrossEntropyLoss"/> checks them: the class count, the smoothing, the reduction
    /// and the prior (<see cref="SmoothingPrior.Uniform"/> when null), which is returned.
    /// </summary>
    public static SmoothingPrior SmoothedTarget(int numClasses, double labelSmoothing, Reduction reduction, SmoothingPrior? prior)
    {
        Guard.NumClasses(numClasses);
        Guard.Alpha(labelSmoothing, nameof(labelSmoothing));
        Guard.Reduction(reduction);
        prior ??= SmoothingPrior.Uniform;
        prior.Validate(numClasses, nameof(prior));
        return prior;
    }

    /// <summary>A finite value of any sign (Poly-1's ε).</summary>
    public static double Finite(double value, string paramName)
    {
        if (!double.IsFinite(value))
        {
            ThrowHelper.ArgumentOutOfRange(paramName, value, $"{paramName} must be finite.");
        }

        return value;
    }

    /// <summary>A finite value ≥ 0 (focal γ, confidence-penalty β).</summary>
    public static double NonNegative(double value, string paramName)
    {
        if (!(value >= 0.0 && double.IsFinite(value)))
        {
            ThrowHelper.ArgumentOutOfRange(paramName, value, $"{paramName} must be finite and at least 0.");
        }

        return value;
    }

    /// <summary>A finite value &gt; 0 (the distillation temperature).</summary>
    public static double Positive(double value, string paramName)
    {
        if (!(value > 0.0 && double.IsFinite(value)))
        {
            ThrowHelper.ArgumentOutOfRange(paramName, value, $"{paramName} must be finite and greater than 0.");
        }

        return value;
    }

    /// <summary>A value in <c>[0, 1]</c> (the relaxation α); NaN is rejected.</summary>
    public static double Fraction(double value, string paramName)
    {
        if (!(value >= 0.0 && value <= 1.0))
        {
            ThrowHelper.ArgumentOutOfRange(paramName, value, $"{paramName} must lie in [0, 1] (NaN is rejected).");
        }

        return value;
    }

    /// <summary>A finite value of at most 1 (the binary focal balance, whose negative values turn balancing off).</summary>
    public static double AtMostOne(double value, string paramName)
    {
        if (!(value <= 1.0 && double.IsFinite(value)))
        {
            ThrowHelper.ArgumentOutOfRange(paramName, value, $"{paramName} must be finite and at most 1 (negative: no balancing).");
        }

        return value;
    }

    /// <summary>A degree of parallelism: −1 (all cores) or at least 1.</summary>
    public static int Parallelism(int value)
    {
        if (value == 0 || value < -1)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(value), value, "The degree of parallelism must be −1 (all cores) or at least 1.");
        }

        return value;
    }
}
