namespace LabelSmoothing;

/// <summary>
/// One-hot encoding of class labels: row <c>i</c> of the <c>[N, K]</c> result is <c>e_{labels[i]}</c>.
/// </summary>
/// <remarks>
/// Keras: <c>keras.utils.to_categorical(labels, num_classes)</c>; PyTorch: <c>F.one_hot(labels, num_classes)</c>.
/// The loss never needs this on its index path; it is here for users who build soft targets.
/// </remarks>
public static class OneHot
{
    /// <summary>
    /// Writes the one-hot rows of <paramref name="labels"/>: effectively <c>destination[i·K + k] = (k == labels[i]) ? 1 : 0</c>.
    /// Every destination element is written.
    /// </summary>
    /// <typeparam name="T">The element type (any number type).</typeparam>
    /// <param name="labels">The class of each sample, in <c>[0, K)</c>.</param>
    /// <param name="numClasses">The number of classes <c>K</c> (≥ 1).</param>
    /// <param name="destination">The row-major <c>[N, K]</c> result, length <c>labels.Length · K</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numClasses"/> is below 1, or a label is outside <c>[0, K)</c>
    /// (the message names the sample and the value).</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> has the wrong length or overlaps <paramref name="labels"/>.</exception>
    public static void Encode<T>(ReadOnlySpan<int> labels, int numClasses, Span<T> destination)
        where T : INumberBase<T>
    {
        Guard.NumClasses(numClasses);
        Guard.Length(destination.Length, (long)labels.Length * numClasses, nameof(destination), "labels.Length × numClasses");
        Guard.NoOverlap(labels, nameof(labels), destination, nameof(destination));
        Guard.Labels(labels, numClasses, ignoreIndex: null);

        destination.Fill(T.Zero);
        for (int i = 0; i < labels.Length; i++)
        {
            destination[(i * numClasses) + labels[i]] = T.One;
        }
    }

    /// <summary>Returns the one-hot rows of <paramref name="labels"/> as a new row-major <c>[N, K]</c> array.</summary>
    /// <typeparam name="T">The element type (any number type).</typeparam>
    /// <param name="labels">The class of each sample, in <c>[0, K)</c>.</param>
    /// <param name="numClasses">The number of classes <c>K</c> (≥ 1).</param>
    /// <returns>An array of length <c>labels.Length · K</c> with row <c>i</c> equal to <c>e_{labels[i]}</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numClasses"/> is below 1, or a label is outside <c>[0, K)</c>.</exception>
    /// <exception cref="ArgumentException"><c>labels.Length · K</c> exceeds the largest array length.</exception>
    public static T[] Encode<T>(ReadOnlySpan<int> labels, int numClasses)
        where T : INumberBase<T>
    {
        Guard.NumClasses(numClasses);
        long length = (long)labels.Length * numClasses;
        if (length > Array.MaxLength)
        {
            ThrowHelper.Argument(nameof(labels), $"labels.Length × numClasses = {length} exceeds the largest array length.");
        }

        var result = new T[length];
        Encode(labels, numClasses, result.AsSpan());
        return result;
    }

}
