using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace LabelSmoothing.Internal.Validation;

/// <summary>Throw helpers, kept out of line so that the validating callers stay small and inlinable.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ArgumentOutOfRange(string paramName, object? actualValue, string message) =>
        throw new ArgumentOutOfRangeException(paramName, actualValue, message);

    [DoesNotReturn]
    public static void Argument(string paramName, string message) =>
        throw new ArgumentException(message, paramName);

    [DoesNotReturn]
    public static void InvalidOperation(string message) =>
        throw new InvalidOperationException(message);

    [DoesNotReturn]
    public static void LengthMismatch(string paramName, long actual, long expected, string expectation) =>
        throw new ArgumentException(
            string.Create(CultureInfo.InvariantCulture, $"{paramName} has length {actual}, but {expectation} = {expected}."),
            paramName);

    [DoesNotReturn]
    public static void PartialOverlap(string outputName, string inputName) =>
        throw new ArgumentException(
            $"{outputName} overlaps {inputName}. An output may alias an input only exactly (same start and length); partial overlaps are not supported.",
            outputName);

    [DoesNotReturn]
    public static void Overlap(string outputName, string inputName) =>
        throw new ArgumentException($"{outputName} must not overlap {inputName}.", outputName);

    [DoesNotReturn]
    public static void LabelOutOfRange(string paramName, int index, int label, int numClasses, int? ignoreIndex) =>
        throw new ArgumentOutOfRangeException(
            paramName, label, LabelMessage(paramName, index.ToString(CultureInfo.InvariantCulture), label, numClasses, ignoreIndex));

    /// <summary>
    /// As the flat overload, naming the label by its position in <paramref name="shape"/> (row-major <paramref name="index"/>):
    /// <c>labels[1, 0, 1]</c> for a tensor of rank ≥ 2, <c>labels[5]</c> for a vector.
    /// </summary>
    [DoesNotReturn]
    public static void LabelOutOfRange(string paramName, in OperandShape shape, long index, int label, int numClasses, int? ignoreIndex) =>
        throw new ArgumentOutOfRangeException(paramName, label, LabelMessage(paramName, Position(shape, index), label, numClasses, ignoreIndex));

    [DoesNotReturn]
    public static void InvalidProbability(string paramName, long index, double value, bool atMostOne = false) =>
        throw new ArgumentException(
            atMostOne
                ? string.Create(CultureInfo.InvariantCulture, $"{paramName}[{index}] = {value} is not a probability in [0, 1].")
                : string.Create(CultureInfo.InvariantCulture, $"{paramName}[{index}] = {value} is not a finite, non-negative probability."),
            paramName);

    private static string LabelMessage(string paramName, string position, int label, int numClasses, int? ignoreIndex) =>
        ignoreIndex is int ignore
            ? string.Create(CultureInfo.InvariantCulture, $"{paramName}[{position}] = {label} is outside [0, {numClasses}) and is not the ignore index ({ignore}).")
            : string.Create(CultureInfo.InvariantCulture, $"{paramName}[{position}] = {label} is outside [0, {numClasses}).");

    /// <summary>The row-major <paramref name="index"/> of <paramref name="shape"/> as its coordinates, <c>"1, 0, 1"</c>.</summary>
    private static string Position(in OperandShape shape, long index)
    {
        var coordinates = new long[Math.Max(shape.Rank, 1)];
        for (int axis = coordinates.Length - 1; axis > 0; axis--)
        {
            long length = shape.Length(axis);
            coordinates[axis] = length == 0 ? 0 : index % length;
            index = length == 0 ? index : index / length;
        }

        coordinates[0] = index;
        return string.Join(", ", coordinates);
    }
}
