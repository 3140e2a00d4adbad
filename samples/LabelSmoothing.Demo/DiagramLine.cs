namespace LabelSmoothing.Demo;

/// <summary>One line of a text reliability diagram: <see cref="Text"/>, then <see cref="Bar"/> (empty on heading lines).</summary>
/// <param name="Text">The heading, or the bin's numbers.</param>
/// <param name="Bar">The bar, as long as the bin's accuracy.</param>
/// <param name="Calibrated">Whether the bin's accuracy is at least its mean confidence (a terminal colours the bar by it).</param>
public sealed record DiagramLine(string Text, string Bar, bool Calibrated)
{
    public override string ToString() => Text + Bar;
}
