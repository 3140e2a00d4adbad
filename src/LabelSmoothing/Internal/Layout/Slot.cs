namespace LabelSmoothing.Internal.Layout;

/// <summary>The operands of a loss call, by role: three shaped like the logits, four with one entry per sample.</summary>
internal enum Slot
{
    Logits,
    Targets,
    Gradient,
    Labels,
    Losses,
    Upstream,
    SampleWeights,
}
