using System.Collections.Generic;
using System.Numerics;

namespace LabelSmoothing.Tests.Support.GuardPages;

/// <summary>
/// The span methods of <see cref="Calibration"/>, with samples left out by the default ignore index (−100, every fifth label) and by a pad
/// id inside <c>[0, K)</c> (0); every field of every reliability bin is a returned value.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
internal static class CalibrationCalls<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static IReadOnlyList<CallSetting<T>> All(int numClasses) =>
    [
        new("Calibration",
        [
            new("ExpectedCalibrationError(logits, labels, K)", (x, o) => o.Returned(LabelSmoothing.Calibration.ExpectedCalibrationError<T>(o.Input(x.Logits), o.Input(x.Labels), numClasses))),
            new("ExpectedCalibrationError(logits, labels with −100, K)", (x, o) =>
                o.Returned(LabelSmoothing.Calibration.ExpectedCalibrationError<T>(o.Input(x.Logits), o.Input(x.LabelsWithIgnored), numClasses))),
            new("MaximumCalibrationError(logits, labels, K, 10 bins, pad id 0 ignored)", (x, o) =>
                o.Returned(LabelSmoothing.Calibration.MaximumCalibrationError<T>(o.Input(x.Logits), o.Input(x.Labels), numClasses, bins: 10, ignoreIndex: 0))),
            new("MaximumCalibrationError(logits, labels with −100, K)", (x, o) =>
                o.Returned(LabelSmoothing.Calibration.MaximumCalibrationError<T>(o.Input(x.Logits), o.Input(x.LabelsWithIgnored), numClasses))),
            new("ReliabilityBins(logits, labels with −100, K)", (x, o) =>
            {
                foreach (ReliabilityBin bin in LabelSmoothing.Calibration.ReliabilityBins<T>(o.Input(x.Logits), o.Input(x.LabelsWithIgnored), numClasses))
                {
                    o.Returned(bin.Lower);
                    o.Returned(bin.Upper);
                    o.Returned(bin.Count);
                    o.Returned(bin.Accuracy);
                    o.Returned(bin.Confidence);
                }
            }),
            new("ReliabilityBins(logits, labels, K, 200 bins, pad id 0 ignored)", (x, o) =>
            {
                foreach (ReliabilityBin bin in LabelSmoothing.Calibration.ReliabilityBins<T>(o.Input(x.Logits), o.Input(x.Labels), numClasses, bins: 200, ignoreIndex: 0))
                {
                    o.Returned(bin.Lower);
                    o.Returned(bin.Upper);
                    o.Returned(bin.Count);
                    o.Returned(bin.Accuracy);
                    o.Returned(bin.Confidence);
                }
            }),
        ]),
    ];
}
