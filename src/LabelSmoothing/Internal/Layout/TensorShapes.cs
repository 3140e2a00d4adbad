using System.Globalization;

namespace LabelSmoothing.Internal.Layout;

/// <summary>
/// The shape checks of the tensor doors: logits <c>(N, C)</c> or <c>(N, C, d1, …, dk)</c> (class axis 1, PyTorch layout), per-sample
/// operands <c>(N, d1, …, dk)</c>, class-shaped operands like the logits. Each throws an <see cref="System.ArgumentException"/> naming the operand.
/// </summary>
internal static class TensorShapes
{
    /// <summary>Checks the logits against the class count and returns the number of samples <c>N·d1·…·dk</c>.</summary>
    public static int Samples(in OperandShape logits, int numClasses, string paramName = "logits")
    {
        if (logits.Rank < 2)
        {
            ThrowHelper.Argument(paramName, Invariant($"{paramName} has shape {logits}: it needs at least two dimensions, (N, C) or (N, C, d1, ..., dk)."));
        }

        if (logits.Length(1) != numClasses)
        {
            ThrowHelper.Argument(paramName, Invariant($"{paramName} has shape {logits}: dimension 1 is the class axis and must be {numClasses}."));
        }

        long samples = logits.Count / numClasses;
        if (samples > int.MaxValue)
        {
            ThrowHelper.Argument(paramName, Invariant($"{paramName} has shape {logits}: more than {int.MaxValue} samples are not supported."));
        }

        return (int)samples;
    }

    /// <summary>Checks an operand with a class axis of its own length (<c>(N, C, d1, …, dk)</c>, <c>C ≥ 1</c>) and returns its number of samples.</summary>
    public static int ClassAxis(in OperandShape shape, string paramName)
    {
        if (shape.Rank < 2 || shape.Length(1) == 0)
        {
            ThrowHelper.Argument(paramName, Invariant($"{paramName} has shape {shape}: it needs at least two dimensions, (N, C) or (N, C, d1, ..., dk), and C ≥ 1."));
        }

        return Samples(shape, (int)shape.Length(1), paramName);
    }

    /// <summary>Checks that a per-sample operand is shaped <c>(N, d1, …, dk)</c> for logits <c>(N, C, d1, …, dk)</c>.</summary>
    public static void PerSample(in OperandShape shape, in OperandShape logits, string paramName)
    {
        bool matches = shape.Rank == logits.Rank - 1;
        for (int a = 0; matches && a < shape.Rank; a++)
        {
            matches = shape.Length(a) == logits.Length(a == 0 ? 0 : a + 1);
        }

        if (!matches)
        {
            ThrowHelper.Argument(paramName, Invariant($"{paramName} has shape {shape}, but logits of shape {logits} need {SampleShape(logits)}."));
        }
    }

    /// <summary>Checks that an operand has the shape of the logits.</summary>
    public static void LikeLogits(in OperandShape shape, in OperandShape logits, string paramName)
    {
        if (!shape.SameLengths(logits))
        {
            ThrowHelper.Argument(paramName, Invariant($"{paramName} has shape {shape}, but it must have the shape of the logits, {logits}."));
        }
    }

    /// <summary>Checks that an operand has the shape of another (sample weights beside labels).</summary>
    public static void SameShape(in OperandShape shape, in OperandShape reference, string paramName, string referenceName)
    {
        if (!shape.SameLengths(reference))
        {
            ThrowHelper.Argument(paramName, Invariant($"{paramName} has shape {shape}, but it must have the shape of {referenceName}, {reference}."));
        }
    }

    /// <summary>Checks that an operand holds exactly one element along at least one axis (an upstream gradient of a reduced loss).</summary>
    public static void SingleValue(in OperandShape shape, string paramName)
    {
        if (shape.Rank == 0 || shape.Count != 1)
        {
            ThrowHelper.Argument(paramName, Invariant($"{paramName} has shape {shape}, but a reduced loss (Mean or Sum) takes one upstream value."));
        }
    }

    private static string SampleShape(in OperandShape logits)
    {
        var text = new System.Text.StringBuilder("(");
        for (int a = 0; a < logits.Rank; a++)
        {
            if (a != 1)
            {
                text.Append(a == 0 ? "" : ", ").Append(((long)logits.Length(a)).ToString(CultureInfo.InvariantCulture));
            }
        }

        return text.Append(')').ToString();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
