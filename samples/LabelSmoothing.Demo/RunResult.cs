using System.Text.Json.Serialization;

namespace LabelSmoothing.Demo;

/// <summary>What one training measured on the test set.</summary>
/// <param name="Alpha">The label smoothing it was trained with.</param>
/// <param name="Noise">The share of training labels that were flipped.</param>
/// <param name="Prior">The smoothing prior's name.</param>
/// <param name="FinalTrainingLoss">The mean training loss of the last epoch (of the smoothed, noisy objective).</param>
/// <param name="Accuracy">Test accuracy.</param>
/// <param name="Nll">Test negative log-likelihood (plain cross-entropy, no smoothing).</param>
/// <param name="Ece">Expected calibration error, 15 equal-width bins (Guo et al. 2017).</param>
/// <param name="Mce">Maximum calibration error over the non-empty bins.</param>
/// <param name="MeanConfidence">The mean of the top softmax probability.</param>
/// <param name="Temperature">The temperature fitted on the validation set.</param>
/// <param name="EceAfterScaling">The test ECE after dividing the logits by <see cref="Temperature"/>.</param>
/// <param name="Bins">The reliability diagram of the test set.</param>
/// <param name="Loss">The training loss's <c>--loss</c> name.</param>
/// <param name="LossDescription">The training loss and its setting.</param>
public sealed record RunResult(
    double Alpha,
    double Noise,
    string Prior,
    double FinalTrainingLoss,
    double Accuracy,
    double Nll,
    double Ece,
    double Mce,
    double MeanConfidence,
    double Temperature,
    double EceAfterScaling,
    ReliabilityBin[] Bins,
    string Loss = "ce",
    string LossDescription = "cross-entropy")
{
    /// <summary>"over-confident" when the mean confidence exceeds the accuracy, "under-confident" otherwise.</summary>
    [JsonIgnore]
    public string Confidence => MeanConfidence > Accuracy ? "over-confident" : "under-confident";

    /// <summary>A short name for files: <c>alpha0.1-noise0.3</c>, prefixed by the loss when it is not the cross-entropy (<c>poly-alpha0-noise0.3</c>).</summary>
    [JsonIgnore]
    public string Name => (Loss == "ce" ? "" : Loss + "-") + System.FormattableString.Invariant($"alpha{Alpha:0.###}-noise{Noise:0.###}");
}
