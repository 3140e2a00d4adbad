using System.Numerics.Tensors;

namespace LabelSmoothing.Internal.CallPath;

internal ref partial struct LossRequest<T>
{
    /// <summary>Logits <c>(N, C[, d1, …, dk])</c> of any strides with labels <c>(N[, d1, …, dk])</c>.</summary>
    public static LossRequest<T> Labelled(int numClasses, in ReadOnlyTensorSpan<T> logits, in ReadOnlyTensorSpan<int> labels)
    {
        var request = new LossRequest<T> { Logits = Operand<T>.Of(logits, "logits"), LogitsName = "logits", Labels = Operand<int>.Of(labels, "labels") };
        TensorShapes.Samples(request.Logits.Shape, numClasses);
        TensorShapes.PerSample(request.Labels.Shape, request.Logits.Shape, "labels");
        return request;
    }

    /// <summary>Logits <c>(N, C[, d1, …, dk])</c> and targets of the same shape, any strides.</summary>
    public static LossRequest<T> Paired(
        int numClasses, in ReadOnlyTensorSpan<T> logits, in ReadOnlyTensorSpan<T> targets, string logitsName = "logits", string targetsName = "targets")
    {
        var request = new LossRequest<T>
        {
            Logits = Operand<T>.Of(logits, logitsName),
            LogitsName = logitsName,
            Targets = Operand<T>.Of(targets, targetsName),
            TargetsName = targetsName,
        };
        TensorShapes.Samples(request.Logits.Shape, numClasses, logitsName);
        TensorShapes.LikeLogits(request.Targets.Shape, request.Logits.Shape, targetsName);
        return request;
    }

    /// <summary>Per-sample losses <c>(N[, d1, …, dk])</c>, or losses shaped like the logits when <paramref name="elementWise"/>.</summary>
    public void SetLosses(in TensorSpan<T> losses, bool elementWise = false)
    {
        var operand = Operand<T>.Of(losses, "losses");
        CheckShape(operand.Shape, "losses", elementWise);
        Losses = operand;
    }

    /// <summary>The gradient, shaped like the logits.</summary>
    public void SetGradient(in TensorSpan<T> gradient)
    {
        var operand = Operand<T>.Of(gradient, "gradient");
        TensorShapes.LikeLogits(operand.Shape, Logits.Shape, "gradient");
        Gradient = operand;
    }

    /// <summary>The upstream gradient: one value (Mean, Sum), per-sample (None) or shaped like the logits (None, <paramref name="elementWise"/>).</summary>
    public void SetUpstream(in ReadOnlyTensorSpan<T> upstream, Reduction reduction, bool elementWise = false)
    {
        var operand = Operand<T>.Of(upstream, "upstream");
        if (reduction != Reduction.None)
        {
            TensorShapes.SingleValue(operand.Shape, "upstream");
        }
        else
        {
            CheckShape(operand.Shape, "upstream", elementWise);
        }

        Upstream = operand;
    }

    /// <summary>One weight per sample, shaped like the labels.</summary>
    public void SetSampleWeights(in ReadOnlyTensorSpan<T> sampleWeights)
    {
        var operand = Operand<T>.Of(sampleWeights, "sampleWeights");
        TensorShapes.PerSample(operand.Shape, Logits.Shape, "sampleWeights");
        SampleWeights = operand;
    }

    private readonly void CheckShape(in OperandShape shape, string paramName, bool elementWise)
    {
        if (elementWise)
        {
            TensorShapes.LikeLogits(shape, Logits.Shape, paramName);
        }
        else
        {
            TensorShapes.PerSample(shape, Logits.Shape, paramName);
        }
    }
}
