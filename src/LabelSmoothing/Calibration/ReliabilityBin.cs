namespace LabelSmoothing;

/// <summary>
/// One bar of a reliability diagram (Guo et al. 2017): the samples <c>B_m</c> whose confidence <c>c = max softmax(z)</c> lies in
/// <c>(Lower, Upper]</c>, how many there are, how often their prediction is right and how confident it is on average.
/// </summary>
/// <remarks>
/// Returned by <see cref="Calibration.ReliabilityBins{T}(System.ReadOnlySpan{T}, System.ReadOnlySpan{int}, int, int, int)"/>, lowest bin
/// first. The reference code of the paper (<c>gpleiss/temperature_scaling</c>, <c>_ECELoss</c>): <c>accuracy_in_bin</c>,
/// <c>avg_confidence_in_bin</c>, on the same <c>(Lower, Upper]</c> bins. torchmetrics: the per-bin <c>acc_bin</c>, <c>conf_bin</c> and
/// <c>prop_bin · N</c> of <c>_binning_bucketize</c>, on <c>[Lower, Upper)</c> bins with a bin of its own for a confidence of exactly 1.0:
/// a confidence exactly on an edge (a float softmax rounded to 1) lands in another bin there.
/// </remarks>
/// <param name="Lower">The open lower edge <c>(m − 1)/M</c> of bin <c>m</c> (0 for the first bin).</param>
/// <param name="Upper">The closed upper edge <c>m/M</c> of bin <c>m</c> (1 for the last bin).</param>
/// <param name="Count">The number of samples in the bin, <c>|B_m|</c>.</param>
/// <param name="Accuracy"><c>acc(B_m) = (1/|B_m|)·Σ_{i ∈ B_m} 1[ŷ_i = y_i]</c>, in <c>[0, 1]</c>; 0 when the bin is empty.</param>
/// <param name="Confidence"><c>conf(B_m) = (1/|B_m|)·Σ_{i ∈ B_m} c_i</c>, in <c>(Lower, Upper]</c>; 0 when the bin is empty.</param>
public readonly record struct ReliabilityBin(double Lower, double Upper, int Count, double Accuracy, double Confidence)
{
    /// <summary>
    /// <c>acc(B_m) − conf(B_m)</c>: negative when the model is over-confident in this bin, positive when under-confident, 0 when the bin
    /// is empty. The expected calibration error is <c>Σ_m (|B_m|/N)·|Gap_m|</c>, the maximum calibration error <c>max_m |Gap_m|</c> over
    /// non-empty bins.
    /// </summary>
    public double Gap => Accuracy - Confidence;
}
