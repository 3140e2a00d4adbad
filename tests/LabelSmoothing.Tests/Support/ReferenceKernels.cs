using LabelSmoothing.Internal.CallPath;
using LabelSmoothing.Internal.Kernels.CrossEntropy;
using LabelSmoothing.Internal.Smoothing;

namespace LabelSmoothing.Tests.Support;

/// <summary>
/// The library's reference kernels (scalar, double) called directly on row-major <c>[N, K]</c> arrays, as the oracle the fused kernels
/// are compared with: each returns <c>Σ l_i</c> and writes the requested outputs (null: not requested).
/// </summary>
internal static unsafe class ReferenceKernels
{
    /// <summary>A plan for the given options (mean reduction; the reduction does not reach the kernels).</summary>
    public static LossPlan Plan(int numClasses, double alpha, double[]? weights, SmoothingPrior prior, int ignoreIndex = -100, bool klDivergence = false) =>
        new(numClasses, alpha, Reduction.Mean, weights is null ? null : (double[])weights.Clone(), ignoreIndex, prior, klDivergence);

    public static double Index(LossPlan plan, double[] logits, int[] labels, double[]? losses, double[]? gradient, double[]? upstream, double factor)
    {
        fixed (double* z = logits)
        fixed (int* y = labels)
        fixed (double* l = losses)
        fixed (double* g = gradient)
        fixed (double* u = upstream)
        {
            return RowTerms.Dispatch(plan, new ReferenceRun(plan, Arguments(plan, labels.Length, z, y, null, l, g, u, upstream?.Length, factor)));
        }
    }

    public static double Probability(LossPlan plan, double[] logits, double[] targets, double[]? losses, double[]? gradient, double[]? upstream, double factor)
    {
        fixed (double* z = logits)
        fixed (double* t = targets)
        fixed (double* l = losses)
        fixed (double* g = gradient)
        fixed (double* u = upstream)
        {
            return RowTerms.Dispatch(plan, new ReferenceRun(plan, Arguments(plan, logits.Length / plan.NumClasses, z, null, t, l, g, u, upstream?.Length, factor)));
        }
    }

    private static BatchArguments<double> Arguments(
        LossPlan plan, int rows, double* logits, int* labels, double* targets, double* losses, double* gradient, double* upstream, int? upstreamLength, double factor)
    {
        int k = plan.NumClasses;
        return new BatchArguments<double>
        {
            Logits = logits,
            LogitsStride = k,
            LogitsClassStride = 1,
            Labels = labels,
            LabelsStride = 1,
            Targets = targets,
            TargetsStride = k,
            TargetsClassStride = 1,
            Losses = losses,
            LossesStride = 1,
            Gradient = gradient,
            GradientStride = k,
            GradientClassStride = 1,
            Upstream = upstream,
            UpstreamStride = upstreamLength > 1 ? 1 : 0,
            GradientFactor = factor,
            NumClasses = k,
            Count = rows,
        };
    }

    /// <summary>The reference kernel of the plan's row term on one batch.</summary>
    private readonly struct ReferenceRun(LossPlan plan, BatchArguments<double> arguments) : IRowTermVisitor
    {
        public double Visit<TTerm>()
            where TTerm : IRowTerm =>
            new ReferenceKernel<double, TTerm>(plan).Run(arguments);
    }
}
