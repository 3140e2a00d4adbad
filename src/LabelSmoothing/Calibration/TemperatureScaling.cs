using System.Numerics.Tensors;
using LabelSmoothing.Internal.Kernels;
using LabelSmoothing.Internal.Kernels.Calibration;

namespace LabelSmoothing;

/// <summary>
/// Temperature scaling (Guo et al. 2017): one scalar <c>T &gt; 0</c>, fitted on held-out data, by which every logit is divided before the
/// softmax. It changes confidences, never predictions (the argmax of <c>z/T</c> is the argmax of <c>z</c>).
/// </summary>
/// <remarks>
/// <para>The fit minimises the mean negative log-likelihood <c>NLL(T) = (1/N)·Σ_i −log softmax(z_i / T)_{y_i}</c>. In <c>β = 1/T</c> it is
/// convex, with <c>dNLL/dβ = (1/N)·Σ_i (E_{softmax(β·z_i)}[z_i] − z_{i,y_i})</c> non-decreasing in <c>β</c> and
/// <c>d²NLL/dβ² = (1/N)·Σ_i Var_{softmax(β·z_i)}[z_i]</c>. The minimiser is the root of the first derivative, found by Newton's method on
/// <c>β</c> safeguarded by a bracket that only shrinks (a geometric bisection step whenever Newton would leave it or stalls), to a relative
/// accuracy of 1e-9 in <c>T</c>. Each step is one max-shifted pass over the logits; nothing of size <c>N·K</c> is allocated.</para>
/// <para>Equivalent: <c>gpleiss/temperature_scaling</c> <c>ModelWithTemperature.set_temperature</c>, which minimises the same
/// <c>nn.CrossEntropyLoss()(logits / T, labels)</c>, but with <c>LBFGS(lr=0.01, max_iter=50)</c> from <c>T = 1.5</c>, which can stop
/// short of the optimum; this class returns the optimum itself.</para>
/// <para>NaN and infinity: <see cref="Fit{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, int, int)"/> rejects logits whose NLL is undefined or +∞ at
/// every temperature (a NaN or +∞, a row of −∞ only, a label logit of −∞) with an <see cref="ArgumentException"/> (<c>logits</c>) naming the
/// sample; other −∞ logits are masked classes of probability 0. <see cref="Apply{T}(ReadOnlySpan{T}, double, Span{T})"/> propagates NaN
/// and ±∞. Inputs are never modified.</para>
/// </remarks>
public static class TemperatureScaling
{
    /// <summary>The lowest temperature <see cref="Fit{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, int, int)"/> returns.</summary>
    public const double MinimumTemperature = 1e-3;

    /// <summary>The highest temperature <see cref="Fit{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, int, int)"/> returns.</summary>
    public const double MaximumTemperature = 1e3;

    private const double RelativeTolerance = 1e-9;
    private const int MaxIterations = 200;

    /// <summary>
    /// The temperature <c>T ∈ [1e-3, 1e3]</c> minimising the mean negative log-likelihood of <c>softmax(z / T)</c> over the batch.
    /// </summary>
    /// <typeparam name="T">The element type (<see cref="float"/>, <see cref="double"/>, <see cref="Half"/>, …).</typeparam>
    /// <param name="logits">The row-major <c>[N, K]</c> scores of a held-out set, <c>N = labels.Length</c>.</param>
    /// <param name="labels">The true class of each sample, in <c>[0, K)</c> or equal to <paramref name="ignoreIndex"/>.</param>
    /// <param name="numClasses">The number of classes <c>K</c> (≥ 1).</param>
    /// <param name="ignoreIndex">The label of samples to leave out (padding, as the loss's <c>ignoreIndex</c>); the mean is over the others.</param>
    /// <returns>
    /// The minimiser, to a relative accuracy of 1e-6 or better. When the NLL keeps falling towards an end of <c>[1e-3, 1e3]</c> that end
    /// is returned: <see cref="MinimumTemperature"/> when the data are (nearly) separable by the argmax and the NLL falls as
    /// <c>T → 0</c>; <see cref="MaximumTemperature"/> when the logits carry no information about the labels (or point away from them)
    /// and the NLL falls as <c>T → ∞</c>. An empty batch, or one whose NLL does not depend on <c>T</c> (every row constant, or
    /// <c>K = 1</c>), returns 1.
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numClasses"/> is below 1, or a label is outside <c>[0, K)</c>
    /// (<c>labels</c>; the message names the sample and the value).</exception>
    /// <exception cref="ArgumentException"><c>logits.Length</c> is not a multiple of K; a row holds a NaN or +∞ or only −∞, or a label's
    /// logit is −∞ (its NLL would be +∞ at every temperature) (<c>logits</c>). Other −∞ logits are classes of probability 0 and are allowed.
    /// <c>labels.Length ≠ logits.Length / K</c> (<c>labels</c>).</exception>
    public static double Fit<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> labels, int numClasses, int ignoreIndex = -100)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        return Minimise(LabelledLogits<T>.OfSpans(logits, labels, numClasses, ignoreIndex));
    }

    /// <summary>
    /// Divides the logits by the temperature: effectively <c>destination[i] = logits[i] / temperature</c>, the quotient formed in double
    /// precision and rounded once to <typeparamref name="T"/>. Exact in-place use (<paramref name="destination"/> = <paramref name="logits"/>)
    /// is allowed. NaN stays NaN and ±∞ stays ±∞.
    /// </summary>
    /// <typeparam name="T">The element type (<see cref="float"/>, <see cref="double"/>, <see cref="Half"/>, …).</typeparam>
    /// <param name="logits">The scores, in any layout.</param>
    /// <param name="temperature">The temperature <c>T</c>: finite and &gt; 0.</param>
    /// <param name="destination">The scaled scores, same length as <paramref name="logits"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="temperature"/> is NaN, infinite, 0 or negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> has the wrong length or partially overlaps <paramref name="logits"/>.</exception>
    /// <remarks>PyTorch: <c>logits / temperature</c> (<c>ModelWithTemperature.temperature_scale</c> of <c>gpleiss/temperature_scaling</c>).</remarks>
    public static void Apply<T>(ReadOnlySpan<T> logits, double temperature, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckTemperature(temperature);
        Guard.Length(destination.Length, logits.Length, nameof(destination), "logits.Length");
        Guard.NoPartialOverlap(logits, nameof(logits), destination, nameof(destination));
        TemperatureDivision.Divide(logits, temperature, destination);
    }

    /// <inheritdoc cref="Fit{T}(ReadOnlySpan{T}, ReadOnlySpan{int}, int, int)"/>
    /// <param name="logits">The scores of a held-out set, <c>(N, K)</c> or <c>(N, K, d1, …, dk)</c> (class axis 1), any strides.</param>
    /// <param name="labels">The true class of each sample, <c>(N, d1, …, dk)</c>, in <c>[0, K)</c> or equal to <paramref name="ignoreIndex"/>.</param>
    /// <param name="ignoreIndex">The label of samples to leave out (padding).</param>
    /// <exception cref="ArgumentException">A shape does not match; a row holds a NaN or +∞ or only −∞, or a label's logit is −∞ (<c>logits</c>).</exception>
    public static double Fit<T>(ReadOnlyTensorSpan<T> logits, ReadOnlyTensorSpan<int> labels, int ignoreIndex = -100)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        return Minimise(LabelledLogits<T>.OfTensors(logits, labels, ignoreIndex));
    }

    /// <inheritdoc cref="Fit{T}(ReadOnlyTensorSpan{T}, ReadOnlyTensorSpan{int}, int)"/>
    public static double Fit<T>(Tensor<T> logits, Tensor<int> labels, int ignoreIndex = -100)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Fit(TensorArgument.Read(logits, nameof(logits)), TensorArgument.Read(labels, nameof(labels)), ignoreIndex);

    /// <summary>
    /// Divides a tensor of logits of any strides by the temperature, element by element, as
    /// <see cref="Apply{T}(ReadOnlySpan{T}, double, Span{T})"/>.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="logits">The scores, <c>(N, K)</c> or <c>(N, K, d1, …, dk)</c>, any strides.</param>
    /// <param name="temperature">The temperature <c>T</c>: finite and &gt; 0.</param>
    /// <param name="destination">The scaled scores, same shape; may be <paramref name="logits"/> itself (same memory and strides).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="temperature"/> is NaN, infinite, 0 or negative.</exception>
    /// <exception cref="ArgumentException">A shape does not match, or <paramref name="destination"/> partially overlaps <paramref name="logits"/>
    /// or has strides that make two elements share memory.</exception>
    public static unsafe void Apply<T>(ReadOnlyTensorSpan<T> logits, double temperature, TensorSpan<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var input = Operand<T>.Of(logits, nameof(logits));
        TensorShapes.ClassAxis(input.Shape, nameof(logits));
        CheckTemperature(temperature);
        var output = Operand<T>.Of(destination, nameof(destination));
        TensorShapes.LikeLogits(output.Shape, input.Shape, nameof(destination));
        Guard.Output(output, nameof(destination));
        Guard.NoPartialOverlap(input, nameof(logits), output, nameof(destination));
        var layout = BatchLayout.OfClasses(input.Shape);
        layout.Add(OperandRole.Gradient, output.Shape);
        layout.Merge();
        nint inputStride = layout.ClassStride(OperandRole.Logits);
        nint outputStride = layout.ClassStride(OperandRole.Gradient);
        fixed (T* source = &input.Origin)
        fixed (T* target = &output.Origin)
        {
            for (var cursor = new SampleCursor(layout); cursor.MoveNext();)
            {
                T* row = source + cursor.Offset(OperandRole.Logits);
                T* scaled = target + cursor.Offset(OperandRole.Gradient);
                for (int k = 0; k < layout.NumClasses; k++)
                {
                    scaled[k * outputStride] = T.CreateTruncating(double.CreateTruncating(row[k * inputStride]) / temperature);
                }
            }
        }
    }

    /// <inheritdoc cref="Apply{T}(ReadOnlyTensorSpan{T}, double, TensorSpan{T})"/>
    public static void Apply<T>(Tensor<T> logits, double temperature, Tensor<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Apply(TensorArgument.Read(logits, nameof(logits)), temperature, TensorArgument.Write(destination, nameof(destination)));

    private static void CheckTemperature(double temperature)
    {
        if (!(double.IsFinite(temperature) && temperature > 0.0))
        {
            ThrowHelper.ArgumentOutOfRange(nameof(temperature), temperature, "The temperature must be finite and positive.");
        }
    }

    private static double Minimise<T>(scoped in LabelledLogits<T> inputs)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var objective = new TemperatureObjective<T>(inputs);
        if (objective.Samples == 0)
        {
            return 1.0;
        }

        // In β = 1/T the search interval is [1/MaximumTemperature, 1/MinimumTemperature] = [1e-3, 1e3].
        double slopeAtMaximum = objective.Slope(1.0 / MaximumTemperature, out _);
        double slopeAtMinimum = objective.Slope(1.0 / MinimumTemperature, out _);
        return (slopeAtMaximum >= 0.0, slopeAtMinimum <= 0.0) switch
        {
            (true, true) => 1.0,
            (true, false) => MaximumTemperature,
            (false, true) => MinimumTemperature,
            _ => 1.0 / InverseTemperature(objective),
        };
    }

    /// <summary>
    /// The root of <c>dNLL/dβ</c>, known to lie in <c>(1e-3, 1e3)</c>: Newton steps inside a shrinking bracket, until the bracket is
    /// narrower than 1e-9 relative; returns the evaluated point of smallest <c>|dNLL/dβ|</c>.
    /// </summary>
    private static double InverseTemperature<T>(scoped in TemperatureObjective<T> objective)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double low = 1.0 / MaximumTemperature;
        double high = 1.0 / MinimumTemperature;
        double beta = 1.0;
        double best = beta;
        double bestSlope = double.PositiveInfinity;
        double previousStep = high - low;
        for (int iteration = 0; iteration < MaxIterations && high - low > RelativeTolerance * low; iteration++)
        {
            double slope = objective.Slope(beta, out double curvature);
            if (Math.Abs(slope) < bestSlope)
            {
                (best, bestSlope) = (beta, Math.Abs(slope));
            }

            if (slope == 0.0)
            {
                break;
            }

            (low, high) = slope < 0.0 ? (beta, high) : (low, beta);
            double step = slope / curvature;
            double next = beta - step;
            if (!(next > low && next < high) || Math.Abs(step) > 0.5 * Math.Abs(previousStep))
            {
                next = Math.Sqrt(low * high);
            }
            else if (Math.Abs(step) < 0.5 * RelativeTolerance * beta)
            {
                // A converged Newton step: step just past the root so that the next slope closes the bracket on the other side.
                next = beta - Math.CopySign(0.5 * RelativeTolerance * beta, slope);
            }

            previousStep = beta - next;
            beta = next;
        }

        return best;
    }
}
