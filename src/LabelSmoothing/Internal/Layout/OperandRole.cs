namespace LabelSmoothing.Internal.Layout;

/// <summary>The operands of a loss call, by role: three shaped like the logits, three with one entry per sample (or per element, for a sigmoid loss's losses and upstream).</summary>
internal enum OperandRole
{
    Logits,
    Targets,
    Gradient,
    Labels,
    Losses,

    /// <summary>Upstream gradients, or the sample weights that stand in their place.</summary>
    Upstream,
}
