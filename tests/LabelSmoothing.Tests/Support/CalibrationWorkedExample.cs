using System;
using System.Numerics;

namespace LabelSmoothing.Tests.Support;

/// <summary>
/// The worked example of the calibration tests: six samples, K = 3, logits chosen as logarithms so that every softmax is a ratio of small
/// integers:
/// <code>
/// sample  logits                p = softmax        c     ŷ  y  correct
///   0     (ln 8, 0, 0)          (.8, .1, .1)       0.8   0  0  yes
///   1     (0, ln 18, 0)         (.05, .9, .05)     0.9   1  0  no
///   2     (ln 6, ln 3, 0)       (.6, .3, .1)       0.6   0  1  no
///   3     (0, ln 2, ln 7)       (.1, .2, .7)       0.7   2  2  yes
///   4     (ln 2, ln 4, ln 4)    (.2, .4, .4)       0.4   1  1  yes   (tie: the first index, 1)
///   5     (ln 3, ln 3, ln 4)    (.3, .3, .4)       0.4   2  0  no
/// </code>
/// </summary>
/// <typeparam name="T">The element type the logits are rounded to.</typeparam>
internal static class CalibrationWorkedExample<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public const int NumClasses = 3;

    public static int[] Labels => [0, 0, 1, 2, 1, 0];

    public static T[] Logits => TestNumerics<T>.Values(
        Math.Log(8), 0, 0,
        0, Math.Log(18), 0,
        Math.Log(6), Math.Log(3), 0,
        0, Math.Log(2), Math.Log(7),
        Math.Log(2), Math.Log(4), Math.Log(4),
        Math.Log(3), Math.Log(3), Math.Log(4));
}
