using System.Buffers;
using System.Runtime.Intrinsics;

namespace LabelSmoothing.Internal.Kernels.CrossEntropy;

/// <summary>
/// The cross-entropy of a batch whose classes are split across ranks (vocab parallelism), each rank holding the row-major <c>[N, S]</c>
/// logits of classes <c>[o, o + S)</c>. Every sample's loss is <c>A·log s + Σ_k q_k·(m − z_k) + λ·(m − z_y)</c> plus its row terms (see
/// <see cref="LossPlan"/>), with <c>m</c> and <c>s</c> over all <c>K</c> classes; each sum splits over the shards once every shard's part
/// is taken relative to the global maximum:
/// <list type="number">
/// <item>phase 1 (<see cref="Gather"/>), per sample and shard: the shard's maximum <c>m_r</c>, <c>s_r = Σ exp(z_k − m_r)</c>, the
/// smoothing margin <c>Σ q_k·(m_r − z_k)</c>, <c>Σ q_k</c>, the label's logit and whether the shard holds it, and the shard's first
/// arg-max (the statistics' accuracy) — <see cref="Width"/> doubles, whatever <c>S</c>;</item>
/// <item>phase 2 (<see cref="Combine"/>), after an all-gather in rank order: <c>m = max m_r</c>, <c>s = Σ s_r·exp(m_r − m)</c>, the margin
/// <c>Σ [margin_r + (m − m_r)·Σq_r]</c>, added in rank order, so every rank gets the same bits; then this shard's columns of the gradient,
/// <c>scale·(F·p_k − q_k − λ·[k = y])</c> with <c>p_k = exp(z_k − m)/s</c> recomputed from the logits.</item>
/// </list>
/// Both phases run the fused row kernel's passes (<see cref="FusedRowKernel{TSimd, TVector, T}"/>) on each shard row; the soft cap is
/// applied to a staged copy of the row and <see cref="Half"/> rows are widened to float, as the staging path does.
/// </summary>
internal static unsafe class ShardKernel
{
    /// <summary>Doubles per sample of phase 1.</summary>
    public const int Width = 7;

    private const int MaxField = 0;
    private const int SumField = 1;
    private const int MarginField = 2;
    private const int CoefficientField = 3;
    private const int LabelLogitField = 4;
    private const int LabelField = 5;
    private const int ArgMaxField = 6;

    /// <summary>The label is not in the shard.</summary>
    private const double LabelElsewhere = 0.0;

    /// <summary>The shard holds the label; its coefficient is inside the margin.</summary>
    private const double LabelHere = 1.0;

    /// <summary>
    /// The shard holds the label and its logit is −∞: the margin leaves the label out and phase 2 adds <c>C(y)·(m − z_y)</c> in one term, as
    /// the reference kernel does (+∞ when the label carries mass, NaN as in PyTorch when its weight is 0).
    /// </summary>
    private const double LabelAtMinusInfinity = 2.0;

    /// <summary>Phase 1: writes <see cref="Width"/> statistics per sample (zeros for an ignored sample).</summary>
    public static void Gather<T>(LossPlan plan, in ShardOperands<T> shard, double* statistics)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(Half))
        {
            Staged<T, float>(plan, shard, new GatherRows<float>(plan, shard.Labels, shard.ClassOffset, statistics));
        }
        else if (plan.LogitSoftcap > 0.0)
        {
            Staged<T, T>(plan, shard, new GatherRows<T>(plan, shard.Labels, shard.ClassOffset, statistics));
        }
        else
        {
            Dispatch<T>(plan, shard.Logits, shard.Classes, shard.Classes, new GatherRows<T>(plan, shard.Labels, shard.ClassOffset, statistics), 0, shard.Samples);
        }
    }

    /// <summary>
    /// Phase 2: combines the gathered statistics of every sample in rank order, adds them to <paramref name="statistics"/> when it is not
    /// null, writes this shard's gradient columns times <paramref name="gradientFactor"/> when <paramref name="gradient"/> is not null, and
    /// returns <c>Σ l_i</c>.
    /// </summary>
    public static double Combine<T>(LossPlan plan, in ShardOperands<T> shard, double* gathered, int ranks, T* gradient, double gradientFactor, TokenStatistics* statistics)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        RowTerms.Dispatch(plan, new CombineCall<T>(plan, shard, gathered, ranks, gradient, gradientFactor, statistics));

    /// <summary>
    /// Runs <paramref name="rows"/> over samples <c>[first, end)</c>, sample <c>i</c>'s row at <c>logits + i·rowStride</c>, at the widest vector
    /// no longer than a shard row.
    /// </summary>
    private static void Dispatch<T>(LossPlan plan, T* logits, int classes, nint rowStride, IShardRows<T> rows, int first, int end)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        KernelTables<T> tables = plan.Tables<T>();
        if (Vector512.IsHardwareAccelerated && classes >= Vector512<T>.Count)
        {
            CoefficientSources<Simd512<T>, Vector512<T>, T>.Run(plan, tables, new RowLoop<Simd512<T>, Vector512<T>, T>(rows, logits, classes, rowStride, first, end));
        }
        else if (Vector256.IsHardwareAccelerated && classes >= Vector256<T>.Count)
        {
            CoefficientSources<Simd256<T>, Vector256<T>, T>.Run(plan, tables, new RowLoop<Simd256<T>, Vector256<T>, T>(rows, logits, classes, rowStride, first, end));
        }
        else if (Vector128.IsHardwareAccelerated && classes >= Vector128<T>.Count)
        {
            CoefficientSources<Simd128<T>, Vector128<T>, T>.Run(plan, tables, new RowLoop<Simd128<T>, Vector128<T>, T>(rows, logits, classes, rowStride, first, end));
        }
        else
        {
            CoefficientSources<OneLane<T>, T, T>.Run(plan, tables, new RowLoop<OneLane<T>, T, T>(rows, logits, classes, rowStride, first, end));
        }
    }

    /// <summary>
    /// Each row widened to <typeparamref name="TCompute"/> (and capped, with its derivatives kept for the gradient) in pooled scratch, then
    /// run alone; the row's gradient, computed over the scratch, is multiplied by the derivatives and rounded into the shard's gradient.
    /// </summary>
    private static void Staged<T, TCompute>(LossPlan plan, in ShardOperands<T> shard, IShardRows<TCompute> rows, T* gradient = null)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TCompute : unmanaged, IFloatingPointIeee754<TCompute>
    {
        int classes = shard.Classes;
        TCompute[] scratch = ArrayPool<TCompute>.Shared.Rent(2 * classes);
        try
        {
            fixed (TCompute* row = scratch)
            {
                TCompute* derivatives = row + classes;
                for (int i = 0; i < shard.Samples; i++)
                {
                    T* source = shard.Logits + ((nint)i * classes);
                    for (int k = 0; k < classes; k++)
                    {
                        row[k] = TCompute.CreateTruncating(source[k]);
                    }

                    if (plan.LogitSoftcap > 0.0)
                    {
                        new SoftcapTransform(plan.LogitSoftcap).Apply(row, row, derivatives, classes);
                    }

                    Dispatch(plan, row, classes, 0, rows, i, i + 1);
                    if (gradient is not null)
                    {
                        T* target = gradient + ((nint)i * classes);
                        for (int k = 0; k < classes; k++)
                        {
                            TCompute g = row[k];
                            target[k] = T.CreateTruncating(plan.LogitSoftcap > 0.0 ? g * derivatives[k] : g);
                        }
                    }
                }
            }
        }
        finally
        {
            ArrayPool<TCompute>.Shared.Return(scratch);
        }
    }

    /// <summary>What one sample's shard row does with its coefficients.</summary>
    private interface IShardRows<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <summary>Runs sample <paramref name="sample"/>'s row; the next row lies <paramref name="nextRow"/> elements further on (0: none).</summary>
        void Row<TSimd, TVector, TCoefficients>(T* logits, int classes, int sample, nint nextRow, in TCoefficients coefficients)
            where TSimd : ISimd<TVector, T>
            where TVector : struct
            where TCoefficients : struct, IRowCoefficients<TVector, T>;

        int Label(int sample);
    }

    /// <summary>The row loop of <see cref="Dispatch"/>, specialised for a coefficient source.</summary>
    private readonly struct RowLoop<TSimd, TVector, T>(IShardRows<T> rows, T* logits, int classes, nint rowStride, int first, int end) : ICoefficientRows<TVector, T>
        where TSimd : ISimd<TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public double Run<TSource, TCoefficients>(TSource source)
            where TSource : struct, ICoefficientSource<TCoefficients>
            where TCoefficients : struct, IRowCoefficients<TVector, T>
        {
            for (int i = first; i < end; i++)
            {
                int label = rows.Label(i);
                rows.Row<TSimd, TVector, TCoefficients>(logits + (i * rowStride), classes, i, i + 1 < end ? rowStride : 0, label < 0 ? default : source.ForLabel(label));
            }

            return 0.0;
        }
    }

    /// <summary>Phase 1's rows.</summary>
    private sealed class GatherRows<T>(LossPlan plan, int* labels, int classOffset, double* statistics) : IShardRows<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public int Label(int sample) => labels[sample] == plan.IgnoreIndex ? -1 : labels[sample];

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Row<TSimd, TVector, TCoefficients>(T* logits, int classes, int sample, nint nextRow, in TCoefficients coefficients)
            where TSimd : ISimd<TVector, T>
            where TVector : struct
            where TCoefficients : struct, IRowCoefficients<TVector, T>
        {
            double* fields = statistics + ((nint)sample * Width);
            new Span<double>(fields, Width).Clear();
            int label = Label(sample);
            if (label < 0)
            {
                return;
            }

            T max = FusedRowKernel<TSimd, TVector, T>.Statistics(
                logits, (nuint)classes, coefficients, (nuint)classOffset, nextRow, out double sum, out double margin, out double coefficientSum, out nuint firstMax);
            int local = label - classOffset;
            double labelState = LabelElsewhere;
            if ((uint)local < (uint)classes)
            {
                fields[LabelLogitField] = double.CreateTruncating(logits[local]);
                labelState = T.IsNegativeInfinity(logits[local]) ? LabelAtMinusInfinity : LabelHere;
                if (labelState == LabelAtMinusInfinity)
                {
                    margin = MarginWithoutLabel<TVector, TCoefficients>(logits, classes, local, double.CreateTruncating(max), coefficients);
                }
            }

            fields[MaxField] = double.CreateTruncating(max);
            fields[SumField] = FusedRowKernel<TSimd, TVector, T>.WithInfiniteMax(sum, fields[MaxField]);
            fields[MarginField] = margin;
            fields[CoefficientField] = coefficientSum;
            fields[LabelField] = labelState;
            fields[ArgMaxField] = classOffset + (double)firstMax;
        }

        /// <summary><c>Σ_{k ≠ y} q_k·(m − z_k)</c>, as the reference kernel sums it.</summary>
        private double MarginWithoutLabel<TVector, TCoefficients>(T* logits, int classes, int local, double max, in TCoefficients coefficients)
            where TVector : struct
            where TCoefficients : struct, IRowCoefficients<TVector, T>
        {
            double margin = 0.0;
            for (int k = 0; k < classes; k++)
            {
                if (k != local)
                {
                    margin += coefficients.Single((nuint)(classOffset + k)) * (max - double.CreateTruncating(logits[k]));
                }
            }

            return margin;
        }
    }

    /// <summary>Phase 2 for one row term: the samples' combined statistics, then this shard's gradient rows.</summary>
    private readonly struct CombineCall<T>(
        LossPlan plan, ShardOperands<T> shard, double* gathered, int ranks, T* gradient, double gradientFactor, TokenStatistics* statistics) : IRowTermVisitor
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public double Visit<TTerm>()
            where TTerm : IRowTerm
        {
            int samples = shard.Samples;
            SampleTotals[] combined = ArrayPool<SampleTotals>.Shared.Rent(Math.Max(1, samples));
            try
            {
                double total = 0.0;
                for (int i = 0; i < samples; i++)
                {
                    int label = shard.Labels[i];
                    combined[i] = label == plan.IgnoreIndex ? default : Sample<TTerm>(i, label);
                    total += combined[i].Loss;
                }

                if (gradient is not null)
                {
                    fixed (SampleTotals* totals = combined)
                    {
                        if (typeof(T) == typeof(Half))
                        {
                            Staged<T, float>(plan, shard, new GradientRows<float>(plan, shard.Labels, shard.ClassOffset, totals, gradientFactor, null), gradient);
                        }
                        else if (plan.LogitSoftcap > 0.0)
                        {
                            Staged<T, T>(plan, shard, new GradientRows<T>(plan, shard.Labels, shard.ClassOffset, totals, gradientFactor, null), gradient);
                        }
                        else
                        {
                            var rows = new GradientRows<T>(plan, shard.Labels, shard.ClassOffset, totals, gradientFactor, gradient);
                            Dispatch<T>(plan, shard.Logits, shard.Classes, shard.Classes, rows, 0, samples);
                        }
                    }
                }

                return total;
            }
            finally
            {
                ArrayPool<SampleTotals>.Shared.Return(combined);
            }
        }

        /// <summary>Sample <paramref name="i"/>'s statistics, combined over the ranks in rank order.</summary>
        private SampleTotals Sample<TTerm>(int i, int label)
            where TTerm : IRowTerm
        {
            double max = double.NegativeInfinity;
            for (int r = 0; r < ranks; r++)
            {
                max = Math.Max(max, Fields(r, i)[MaxField]);
            }

            double sum = 0.0, margin = 0.0, labelLogit = 0.0, labelState = LabelElsewhere, argMax = double.PositiveInfinity;
            for (int r = 0; r < ranks; r++)
            {
                double* fields = Fields(r, i);
                double shardMax = fields[MaxField];
                sum += fields[SumField] * Math.Exp(shardMax - max);
                margin += double.IsNegativeInfinity(shardMax) && !double.IsNegativeInfinity(max)
                    ? (fields[CoefficientField] > 0.0 ? double.PositiveInfinity : 0.0)
                    : fields[MarginField] + (fields[CoefficientField] == 0.0 ? 0.0 : (max - shardMax) * fields[CoefficientField]);
                if (fields[LabelField] != LabelElsewhere)
                {
                    labelLogit = fields[LabelLogitField];
                    labelState = fields[LabelField];
                }

                if (shardMax == max)
                {
                    argMax = Math.Min(argMax, fields[ArgMaxField]);
                }
            }

            sum = double.IsNaN(max) ? double.NaN : sum;
            double logSum = Math.Log(sum);
            double lse = max + logSum;
            double share = 0.0;
            double loss = (plan.TargetCoefficients[label] * logSum) + margin;
            loss += labelState == LabelAtMinusInfinity
                ? plan.LabelCoefficients[label] * (max - labelLogit)
                : ScalarMath.Weighted(plan.LabelWeights[label], max - labelLogit);
            if (!TTerm.IsNone)
            {
                loss += TTerm.Scalar(plan, new RowTermInput<double>(lse, TTerm.UsesTargetEntropy ? plan.LabelEntropies![label] : 0.0), ref share);
            }

            if (statistics is not null)
            {
                statistics->AddSample(1.0, lse, labelLogit, labelLogit == max && argMax == label);
            }

            return new SampleTotals(loss, max, sum, plan.TargetCoefficients[label] + share);
        }

        private double* Fields(int rank, int sample) => gathered + ((((nint)rank * shard.Samples) + sample) * Width);
    }

    /// <summary>
    /// Phase 2's gradient rows: <c>scale·(F·p_k − q_k − λ·[k = y])</c>, <c>p_k = exp(z_k − m)/s</c>, written to <paramref name="gradient"/>, or
    /// over the (staged) logits themselves when it is null.
    /// </summary>
    private sealed class GradientRows<T>(LossPlan plan, int* labels, int classOffset, SampleTotals* totals, double scale, T* gradient) : IShardRows<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {

        public int Label(int sample) => labels[sample] == plan.IgnoreIndex ? -1 : labels[sample];

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Row<TSimd, TVector, TCoefficients>(T* logits, int classes, int sample, nint nextRow, in TCoefficients coefficients)
            where TSimd : ISimd<TVector, T>
            where TVector : struct
            where TCoefficients : struct, IRowCoefficients<TVector, T>
        {
            T* row = gradient is null ? logits : gradient + ((nint)sample * classes);
            int label = Label(sample);
            if (label < 0)
            {
                new Span<T>(row, classes).Clear();
                return;
            }

            SampleTotals total = totals[sample];
            int local = label - classOffset;
            double labelLogit = (uint)local < (uint)classes ? double.CreateTruncating(logits[local]) : 0.0;
            FusedRowKernel<TSimd, TVector, T>.RescaleRecomputed(
                logits, row, (nuint)classes, T.CreateTruncating(total.Max), T.CreateTruncating(scale * total.SoftmaxFactor / total.Sum),
                T.CreateTruncating(scale), coefficients, (nuint)classOffset, nextRow);
            if ((uint)local < (uint)classes)
            {
                double probability = Math.Exp(labelLogit - total.Max) / total.Sum;
                row[local] = T.CreateTruncating(scale * ((total.SoftmaxFactor * probability) - coefficients.Single((nuint)label) - plan.LabelWeights[label]));
            }
        }
    }

    /// <summary>A sample's combined loss, maximum, normaliser and factor of <c>p</c> in its gradient.</summary>
    private readonly record struct SampleTotals(double Loss, double Max, double Sum, double SoftmaxFactor);
}

/// <summary>One rank's operands: row-major <c>[N, S]</c> logits of classes <c>[o, o + S)</c> and the <c>N</c> global labels, pinned.</summary>
internal readonly unsafe struct ShardOperands<T>(T* logits, int* labels, int samples, int classes, int classOffset)
    where T : unmanaged
{
    public T* Logits { get; } = logits;

    public int* Labels { get; } = labels;

    public int Samples { get; } = samples;

    /// <summary>The shard's width <c>S</c>.</summary>
    public int Classes { get; } = classes;

    /// <summary>The global index <c>o</c> of the shard's first class.</summary>
    public int ClassOffset { get; } = classOffset;
}
