namespace LabelSmoothing.Internal.CallPath;

/// <summary>
/// The pinned operands of one <em>piece</em> of a batch: <see cref="Count"/> consecutive samples of one segment
/// (see <see cref="BatchLayout"/>), sample <c>i</c> at <c>pointer + i·stride</c> in each operand and its class <c>k</c> a further
/// <c>k·classStride</c> away. Null pointers mean "not given": no probability targets, no per-sample losses, no gradient, no upstream
/// (a factor of 1 per sample).
/// </summary>
internal readonly unsafe struct BatchArguments<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public required T* Logits { get; init; }

    public nint LogitsStride { get; init; }

    public nint LogitsClassStride { get; init; }

    public int* Labels { get; init; }

    public nint LabelsStride { get; init; }

    public T* Targets { get; init; }

    public nint TargetsStride { get; init; }

    public nint TargetsClassStride { get; init; }

    public T* Losses { get; init; }

    public nint LossesStride { get; init; }

    /// <summary>The distance between a sample's consecutive element losses (<see cref="ElementWise"/> losses only).</summary>
    public nint LossesClassStride { get; init; }

    public T* Gradient { get; init; }

    public nint GradientStride { get; init; }

    public nint GradientClassStride { get; init; }

    /// <summary>The upstream gradient: one value per sample, or one shared value when <see cref="UpstreamStride"/> is 0.</summary>
    public T* Upstream { get; init; }

    public nint UpstreamStride { get; init; }

    /// <summary>The distance between a sample's consecutive element upstream values (<see cref="ElementWise"/> losses only).</summary>
    public nint UpstreamClassStride { get; init; }

    /// <summary>
    /// Whether <see cref="Upstream"/> holds sample weights <c>s_i</c>, which weight each sample's share of the returned total as well as its
    /// gradient (the per-sample losses written stay unweighted).
    /// </summary>
    public bool WeightsLosses { get; init; }

    /// <summary>Whether the caller uses the returned <c>Σ l_i</c> (not a backward pass): a kernel that only computes it for the sum may skip it.</summary>
    public bool SumsLosses { get; init; }

    /// <summary>
    /// Losses and upstream values are one per element, shaped like the logits (a sigmoid loss), rather than one per sample: their class
    /// strides are <see cref="LossesClassStride"/> and <see cref="UpstreamClassStride"/>.
    /// </summary>
    public bool ElementWise { get; init; }

    /// <summary>Accumulates the samples' <see cref="TokenStatistics"/> when not null (index targets).</summary>
    public TokenStatistics* Statistics { get; init; }

    /// <summary>The first sample of the piece whose statistics count (a staged block that overlaps its predecessor leaves the others).</summary>
    public int StatisticsFrom { get; init; }

    /// <summary>The factor every sample's gradient is multiplied by (the reciprocal of the mean's divisor, or 1).</summary>
    public double GradientFactor { get; init; }

    public required int NumClasses { get; init; }

    /// <summary>The number of samples of the piece.</summary>
    public required int Count { get; init; }

    /// <summary>
    /// <see cref="ElementWise"/> upstream values, one per element, rather than one value shared by every element (a reduced loss's backward
    /// pass), whose class stride is 0.
    /// </summary>
    public bool UpstreamPerElement => ElementWise && Upstream is not null && UpstreamClassStride != 0;

    /// <summary>Index targets (labels given) rather than probability targets.</summary>
    public bool IsIndex => Labels is not null;

    /// <summary>Whether every class-shaped operand stores a sample's classes contiguously (the row kernels' layout).</summary>
    public bool RowsContiguous =>
        LogitsClassStride == 1 && (Targets is null || TargetsClassStride == 1) && (Gradient is null || GradientClassStride == 1);

    /// <summary>Whether every operand stores consecutive samples contiguously (the class-major kernel's layout).</summary>
    public bool SamplesContiguous =>
        LogitsStride == 1 && (Targets is null || TargetsStride == 1) && (Gradient is null || GradientStride == 1)
        && (Labels is null || LabelsStride == 1) && (Losses is null || LossesStride == 1) && (Upstream is null || UpstreamStride <= 1);

    public T* LogitsRow(int sample) => Logits + (sample * LogitsStride);

    public T* TargetsRow(int sample) => Targets + (sample * TargetsStride);

    public T* GradientRow(int sample) => Gradient is null ? null : Gradient + (sample * GradientStride);

    public int Label(int sample) => Labels[sample * LabelsStride];

    /// <summary>Writes sample <paramref name="sample"/>'s loss when per-sample losses are requested.</summary>
    public void StoreLoss(int sample, double loss)
    {
        if (Losses is not null)
        {
            Losses[sample * LossesStride] = T.CreateTruncating(loss);
        }
    }

    /// <summary>Sample <paramref name="sample"/>'s share of the returned total: its loss, times its sample weight when <see cref="WeightsLosses"/>.</summary>
    public double Weighted(int sample, double loss) =>
        WeightsLosses ? loss * double.CreateTruncating(Upstream[sample * UpstreamStride]) : loss;

    /// <summary>The weight of sample <paramref name="sample"/> in the statistics: its sample weight when <see cref="WeightsLosses"/>, else 1.</summary>
    public double StatisticsWeight(int sample) => WeightsLosses ? double.CreateTruncating(Upstream[sample * UpstreamStride]) : 1.0;

    /// <summary>Adds a non-ignored sample to <see cref="Statistics"/> (when requested and the sample counts).</summary>
    public void RecordStatistics(int sample, double logSumExp, double labelLogit, bool correct)
    {
        if (Statistics is not null && sample >= StatisticsFrom)
        {
            Statistics->AddSample(StatisticsWeight(sample), logSumExp, labelLogit, correct);
        }
    }

    /// <summary>The gradient factor of sample <paramref name="sample"/>.</summary>
    public double GradientScale(int sample) =>
        Upstream is null ? GradientFactor : GradientFactor * double.CreateTruncating(Upstream[sample * UpstreamStride]);

    /// <summary>The piece of <paramref name="count"/> samples starting at sample <paramref name="first"/> of this piece.</summary>
    public BatchArguments<T> Slice(int first, int count) => this with
    {
        Logits = Logits + (first * LogitsStride),
        Labels = Labels is null ? null : Labels + (first * LabelsStride),
        Targets = Targets is null ? null : Targets + (first * TargetsStride),
        Losses = Losses is null ? null : Losses + (first * LossesStride),
        Gradient = Gradient is null ? null : Gradient + (first * GradientStride),
        Upstream = Upstream is null ? null : Upstream + (first * UpstreamStride),
        Count = count,
    };

    /// <summary>
    /// The piece of <paramref name="count"/> samples from sample <paramref name="first"/> of a batch whose pointers (this value's) address
    /// sample 0: the samples must lie in one segment of <paramref name="layout"/>.
    /// </summary>
    public BatchArguments<T> Piece(in BatchLayout layout, int first, int count) => this with
    {
        Logits = Logits + layout.Offset(OperandRole.Logits, first),
        Labels = Labels is null ? null : Labels + layout.Offset(OperandRole.Labels, first),
        Targets = Targets is null ? null : Targets + layout.Offset(OperandRole.Targets, first),
        Losses = Losses is null ? null : Losses + layout.Offset(OperandRole.Losses, first),
        Gradient = Gradient is null ? null : Gradient + layout.Offset(OperandRole.Gradient, first),
        Upstream = Upstream is null ? null : Upstream + layout.Offset(OperandRole.Upstream, first),
        Count = count,
    };
}
